"""The one question a front end asks: yes/no on a terminal, yes without one."""

from __future__ import annotations

import io

import pytest

from releasekit import _console


def test_without_a_terminal_yes_is_implied(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert _console.ask("Publish?") is True


def test_on_a_terminal_the_answer_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Tty("n\n"))
    assert _console.ask("Publish?") is False
    monkeypatch.setattr("sys.stdin", Tty("yes\n"))
    assert _console.ask("Publish?") is True
