"""A tiny OSV-compatible responder on loopback: the one stand-in of the audit tests.

The public OSV service cannot be reached from the project's machines, so
pip-audit is pointed (``--osv-url``) at this server, which answers
``POST /v1/query`` and ``POST /v1/querybatch`` like the real API does, from the
real advisories in ``tests/data/osv/advisories.json``. Matching follows the
OSV schema: a version is affected when it lies in an ``ECOSYSTEM`` range
(``introduced`` inclusive, ``fixed`` exclusive) or is listed in ``versions``.

Run it by hand with ``python tests/osv_responder.py [PORT]``.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ADVISORIES = Path(__file__).parent / "data" / "osv" / "advisories.json"


def load(path: Path = ADVISORIES) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(path.read_text())
    return records


def _in_range(version: Version, events: list[Mapping[str, str]]) -> bool:
    affected = False
    for event in sorted(events, key=lambda e: Version(next(iter(e.values())))):
        if "introduced" in event:
            affected = affected or version >= Version(event["introduced"])
        elif "fixed" in event:
            affected = affected and version < Version(event["fixed"])
        elif "last_affected" in event:
            affected = affected and version <= Version(event["last_affected"])
    return affected


def affects(record: Mapping[str, Any], name: str, version: str) -> bool:
    """Whether the OSV ``record`` affects ``name`` at ``version`` (PyPI only)."""
    try:
        parsed = Version(version)
    except InvalidVersion:
        return False
    for affected in record.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != "PyPI":
            continue
        if canonicalize_name(package.get("name", "")) != canonicalize_name(name):
            continue
        if version in affected.get("versions", []):
            return True
        for rng in affected.get("ranges", []):
            if rng.get("type") == "ECOSYSTEM" and _in_range(parsed, rng.get("events", [])):
                return True
    return False


def query(records: list[dict[str, Any]], body: Mapping[str, Any]) -> dict[str, Any]:
    """Answer one OSV query: ``{}`` when nothing matches, as the real API does."""
    package = body.get("package", {})
    name, version = package.get("name", ""), body.get("version", "")
    if package.get("ecosystem", "PyPI") != "PyPI" or not name or not version:
        return {}
    vulns = [r for r in records if affects(r, name, version)]
    return {"vulns": vulns} if vulns else {}


class _Handler(BaseHTTPRequestHandler):
    records: ClassVar[list[dict[str, Any]]] = []
    queries: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._send(400, {"code": 3, "message": "invalid JSON"})
            return
        if self.path.rstrip("/") == "/v1/query":
            self.queries.append(body)
            self._send(200, query(self.records, body))
        elif self.path.rstrip("/") == "/v1/querybatch":
            results = []
            for item in body.get("queries", []):
                self.queries.append(item)
                found = query(self.records, item).get("vulns", [])
                results.append(
                    {"vulns": [{"id": v["id"], "modified": v["modified"]} for v in found]}
                )
            self._send(200, {"results": results})
        else:
            self._send(404, {"code": 5, "message": "Not Found"})

    def _send(self, status: int, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet; the queries are recorded instead."""


class Responder:
    """The server, its URL for ``--osv-url``, and the queries it answered."""

    def __init__(self, server: ThreadingHTTPServer, handler: type[_Handler]) -> None:
        self._server = server
        self._handler = handler
        self.port = int(server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/v1/query"

    @property
    def queries(self) -> list[dict[str, Any]]:
        return self._handler.queries


@contextmanager
def serve(records: list[dict[str, Any]] | None = None, port: int = 0) -> Iterator[Responder]:
    """Serve ``records`` on 127.0.0.1 (a free port by default) until the block ends."""
    handler = type("Handler", (_Handler,), {"records": records or load(), "queries": []})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Responder(server, handler)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


if __name__ == "__main__":
    with serve(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as responder:
        print(f"OSV responder on {responder.url} (Ctrl-C stops it)", flush=True)
        with suppress(KeyboardInterrupt):
            threading.Event().wait()
