"""The page where a user creates and revokes their own API tokens. The full key is shown once, in the answer to
the request that created it; afterwards only its prefix is known."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from binasehat.core.scope import area_scoped, get_in_scope_or_404, own_records

from .services import token_create, token_revoke


@own_records
@require_http_methods(["GET", "POST"])
def tokens(request):
    new_key = None
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            token = get_in_scope_or_404(request.user.api_tokens.all(), pk=request.POST.get("token"))
            token_revoke(actor=request.user, token=token)
            messages.success(request, _("Token %(name)s sudah dicabut.") % {"name": token.name})
            return redirect("api:tokens")
        try:
            token, new_key = token_create(actor=request.user, name=request.POST.get("name", ""))
        except ValidationError as e:
            error = " ".join(e.messages)
    return render(request, "api/tokens.html", {
        "tokens": request.user.api_tokens.all(), "new_key": new_key, "error": error,
    }, status=400 if error else 200)


@area_scoped
def root(request):
    """/api/ itself: the documentation."""
    return redirect("api:openapi-view")
