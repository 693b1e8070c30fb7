"""The request id: one short random id per request, on every log line written while serving it and on the
error page the user sees, so that a user's report ("kode kesalahan 3f9a…") finds its traceback in the log."""

from __future__ import annotations

import contextvars
import logging
import uuid

_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


def current_request_id() -> str:
    return _current.get()


def bind_request_id(value: str):
    return _current.set(value)


def unbind_request_id(token) -> None:
    _current.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True
