"""Error pages in Indonesian, with the layout (they run outside the scoping middleware).

The 500 page is rendered without the request's context processors (the database may be what failed) and shows
the request id that the log carries with the traceback."""

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from .logs import current_request_id

log = logging.getLogger("binasehat.errors")


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)


def forbidden(request, exception=None):
    return render(request, "403.html", status=403)


def csrf_failure(request, reason=""):
    log.warning("CSRF check failed: %s", reason)
    return render(request, "403.html", {"reason": "csrf"}, status=403)


def server_error(request):
    request_id = getattr(request, "request_id", None) or current_request_id()
    try:
        html = loader.get_template("500.html").render({"request_id": request_id})
    except Exception:  # the template itself failed: still answer, in Indonesian
        log.exception("the 500 page could not be rendered")
        html = ("<!doctype html><title>Kesalahan sistem</title><h1>Terjadi kesalahan sistem</h1>"
                f"<p>Kode kesalahan: {request_id}</p>")
    return HttpResponseServerError(html)
