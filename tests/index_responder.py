"""A tiny simple-index stand-in on loopback that misbehaves on purpose.

pypiserver is the real index of the tests; this one exists for what a real
index does not do on request: redirect to another host, demand a login from
a host that is not the upload host, answer malformed JSON, echo the login it
was sent in an error, send one byte at a time for ever. Every request is
recorded with the ``Authorization`` header it carried, so a test can tell
where credentials went. Linux routes all of 127.0.0.0/8 to loopback, so a
second server on ``127.0.0.2`` is another host as far as any client can tell.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


@dataclasses.dataclass
class Seen:
    path: str
    authorization: str | None


@dataclasses.dataclass
class Behaviour:
    """What the server answers to every GET.

    ``mode``: ``"login-then-redirect"`` (401 without credentials, then 302 to
    ``location``), ``"redirect"`` (302 to ``location`` at once), ``"login"``
    (always 401 without credentials, 404 with), ``"not-found"`` (404),
    ``"bad-json"`` (200, the PEP 691 content type, a body that is not JSON),
    ``"echo-login"`` (404 to GET; an upload gets 401 without credentials,
    then 400 whose reason and body repeat the login it was sent),
    ``"drip"`` (200, then one byte of the body every ``drip`` seconds, to
    GET and to an upload, until the client goes away or the server stops),
    ``"listing"`` (a PEP 691 JSON page listing ``files``, file name -> PEP 700
    ``upload-time``, for any project: PyPI's answer, with upload times; the
    names in ``yanked`` are listed as yanked), ``"page"`` (200, ``body`` as
    ``content_type``, for any project).

    An upload (POST) gets 401 without credentials in ``"login"`` mode, else
    400 (no file), as pypiserver answers with and without ``-a update``.
    """

    mode: str = "not-found"
    location: str = ""
    drip: float = 0.5
    files: dict[str, str] = dataclasses.field(default_factory=dict)
    yanked: set[str] = dataclasses.field(default_factory=set)
    #: The PEP 629 version a ``"listing"`` page declares.
    api_version: str = "1.1"
    body: str = ""
    content_type: str = "text/html"


class _Handler(BaseHTTPRequestHandler):
    behaviour: ClassVar[Behaviour]
    seen: ClassVar[list[Seen]]
    stopping: ClassVar[threading.Event]

    def do_POST(self) -> None:
        auth = self.headers.get("Authorization")
        self.seen.append(Seen(self.path, auth))
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        mode = self.behaviour.mode
        if mode == "drip":
            self._drip()
        elif mode in ("login", "echo-login") and auth is None:
            self._answer(401, extra={"WWW-Authenticate": 'Basic realm="index"'})
        elif mode == "echo-login" and auth is not None:
            login = base64.b64decode(auth.split()[-1]).decode()
            self.send_response(400, f"Bad login {login}")
            body = f"no upload for {login}".encode()
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self._answer(400)

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization")
        self.seen.append(Seen(self.path, auth))
        mode = self.behaviour.mode
        if mode == "drip":
            self._drip()
        elif mode in ("login", "login-then-redirect") and auth is None:
            self._answer(401, extra={"WWW-Authenticate": 'Basic realm="index"'})
        elif mode in ("redirect", "login-then-redirect"):
            self._answer(302, extra={"Location": self.behaviour.location + self.path})
        elif mode == "bad-json":
            self._answer(200, b'{"files": [ not json', content_type=SIMPLE_JSON)
        elif mode == "listing":
            files = [
                {
                    "filename": name,
                    "url": f"../../files/{name}",
                    "hashes": {},
                    "upload-time": when,
                    "yanked": name in self.behaviour.yanked,
                }
                for name, when in self.behaviour.files.items()
            ]
            name = self.path.rstrip("/").rsplit("/", 1)[-1]  # PEP 691 requires it
            version = self.behaviour.api_version
            page = {"meta": {"api-version": version}, "name": name, "files": files}
            body = json.dumps(page).encode()
            self._answer(200, body, content_type=SIMPLE_JSON)
        elif mode == "page":
            body, kind = self.behaviour.body.encode(), self.behaviour.content_type
            self._answer(200, body, content_type=kind)
        else:
            self._answer(404)

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        try:
            while not self.stopping.wait(self.behaviour.drip):
                self.wfile.write(b" ")
                self.wfile.flush()
        except OSError:  # the client gave up
            pass

    def _answer(
        self,
        code: int,
        body: bytes = b"",
        *,
        content_type: str = "text/plain",
        extra: dict[str, str] | None = None,
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclasses.dataclass
class Responder:
    url: str
    seen: list[Seen]
    behaviour: Behaviour

    def authorizations(self) -> list[str | None]:
        return [s.authorization for s in self.seen]


@contextmanager
def serve(behaviour: Behaviour, host: str = "127.0.0.1") -> Iterator[Responder]:
    seen: list[Seen] = []
    stopping = threading.Event()
    handler = type(
        "Handler", (_Handler,), {"behaviour": behaviour, "seen": seen, "stopping": stopping}
    )
    server = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Responder(f"http://{host}:{server.server_address[1]}", seen, behaviour)
    finally:
        stopping.set()
        server.shutdown()
        server.server_close()


@contextmanager
def silent(host: str = "127.0.0.1") -> Iterator[str]:
    """A host that accepts every connection and never answers (a wedged git server or proxy).

    Yields ``host:port``; the connections it holds are closed when it stops.
    """
    import socket

    listener = socket.socket()
    listener.bind((host, 0))
    listener.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:  # closed: the server stops
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"{host}:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in held:
            conn.close()
