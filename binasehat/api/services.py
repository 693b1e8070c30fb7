"""Creating, revoking and checking API tokens. A key is ``d2pat_`` (the prefix of DHIS2's personal access tokens,
so DHIS2 clients recognise it) and 43 random URL-safe characters; keys made before start with ``bs_`` and keep
working. Only a SHA-256 hash is stored, so a leaked database does not leak usable keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binasehat.core.audit import audit_record

from .models import ApiToken

KEY_PREFIX = "d2pat_"
KNOWN_PREFIXES = (KEY_PREFIX, "bs_")
VISIBLE = 12  # characters of the key kept in clear: "d2pat_" and 6 more
#: ``last_used`` is written at most this often per token (a busy client should not write on every call).
TOUCH_EVERY = dt.timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _audited(token: ApiToken) -> dict:
    return {"name": token.name, "prefix": token.prefix, "user": token.user_id,
            "revoked": token.revoked.isoformat() if token.revoked else None}


@transaction.atomic
def token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token of ``actor``; returns it with the full key, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Beri nama token, misalnya nama aplikasi yang memakainya."))
    if len(name) > 100:
        raise ValidationError(_("Nama token paling panjang 100 karakter."))
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=actor, name=name, prefix=key[:VISIBLE], key_hash=key_hash(key))
    audit_record(actor=actor, action="create", obj=token, after=_audited(token), source="web")
    return token, key


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one of ``actor``'s own tokens (revoking twice changes nothing)."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk, user=actor)
    if token.revoked is not None:
        return token
    before = _audited(token)
    token.revoked = timezone.now()
    token.save(update_fields=["revoked"])
    audit_record(actor=actor, action="update", obj=token, before=before, after=_audited(token), source="web")
    return token


def token_user(key: str):
    """The active user owning the active token ``key``, or None. Notes when the token was last used."""
    if not key or not key.startswith(KNOWN_PREFIXES) or len(key) > 100:
        return None
    from binasehat.accounts.backends import with_area_codes

    token = (with_area_codes(ApiToken.objects.select_related("user"), "user_id")
             .filter(key_hash=key_hash(key), revoked__isnull=True).first())
    if token is None or not token.user.is_active:
        return None
    token.user._area_codes = token._area_codes
    now = timezone.now()
    if token.last_used is None or now - token.last_used > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token.user
