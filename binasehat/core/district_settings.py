"""Who may change the settings a Dinas Kesehatan owns that hold for the whole installation: district targets of
indicators, validation rules, kader level rules (DESIGN.md, "Settings the district owns").

These records carry no area: one value serves every area of the installation. The role permission
``indicators.manage`` (dinkes, admin) is therefore not enough on its own: the user's areas must also cover every
kabupaten/kota the installation serves (those with a puskesmas), so that in an installation shared by several
districts one district cannot change another's figures. An installation with one district (the usual case) lets
its dinkes users change them."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

PERMISSION = "indicators.manage"


class VersionConflict(Exception):
    """The record changed since the form was opened."""


def districts_served() -> set[str]:
    """Kabupaten/kota codes (``19.03``) of the installation: those with at least one puskesmas."""
    from binasehat.facilities.models import Puskesmas

    return {".".join(code.split(".")[:2]) for code in Puskesmas.objects.values_list("kecamatan_id", flat=True)}


def may_change(actor) -> bool:
    """Whether ``actor`` may change installation-wide settings (see the module docstring)."""
    if actor is None or not getattr(actor, "is_active", False):
        return False
    scope = actor.scope
    if not scope.can(PERMISSION):
        return False
    return scope.everything or all(scope.covers(code) for code in districts_served())


def require(actor) -> None:
    if actor is None or not actor.scope.can(PERMISSION):
        raise PermissionDenied(_("Peran Anda tidak boleh mengubah pengaturan ini."))
    if not may_change(actor):
        raise PermissionDenied(_("Pengaturan ini berlaku untuk semua kabupaten/kota di sistem ini; hanya pengguna "
                                 "yang wilayahnya mencakup semuanya yang boleh mengubahnya."))


def version_of(values) -> str:
    """A version token of JSON-ready ``values``: changes whenever they change (optimistic locking for records
    without a version column)."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def check_version(expected: str | None, current: str) -> None:
    if not expected:
        raise VersionConflict(_("Formulir ini tidak menyebut versi yang dibuka, jadi tidak disimpan. Muat ulang "
                                "halaman lalu ulangi."))
    if expected != current:
        raise VersionConflict(_("Pengaturan ini sudah diubah orang lain sejak formulir dibuka. Muat ulang halaman, "
                                "periksa perubahannya, lalu ulangi."))
