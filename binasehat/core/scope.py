"""Who may see what: the area scope of a user, and how every view declares its scoping.

A scope is a set of Kemendagri codes. A record belongs to the scope when its region code equals one of them
or lies below one (``19.03.01.2008`` is below ``19.03`` and ``19.03.01``). A kader's scope is narrower: only
its own posyandu. Default deny: the ScopeMiddleware refuses any view that is not marked by one of the
decorators below, so a new page cannot leak data by forgetting to say how it is scoped.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

SCOPE_ATTR = "binasehat_scope"

#: Policies a view may declare.
PUBLIC = "public"  # no login: login page, health check, language switch
AREA = "area"  # logged in; the view reads and writes only through selectors and services given request.user
OWN = "own"  # logged in; the view touches only the user's own records (profile, own import jobs)


@dataclass(frozen=True)
class Scope:
    """The part of the area tree (and, for a kader, the posyandu) one user may see."""

    role: str = ""
    area_codes: frozenset[str] = frozenset()
    everything: bool = False
    #: None: posyandu by area. A set: only these posyandu (a kader's own), whatever the area.
    posyandu_ids: frozenset[int] | None = None
    #: Puskesmas the user is bound to: visible even when its kecamatan is outside the area codes.
    puskesmas_ids: frozenset[int] = frozenset()
    permissions: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.area_codes and not self.posyandu_ids

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def covers(self, code: str | None) -> bool:
        """Whether the region ``code`` is inside this scope."""
        if self.everything:
            return True
        if not code:
            return False
        return any(code == c or code.startswith(c + ".") for c in self.area_codes)

    def region_q(self, field_name: str) -> Q:
        """A filter keeping rows whose ``field_name`` (a Kemendagri code) lies inside the scope."""
        if self.everything:
            return Q()
        if not self.area_codes:
            return Q(pk__in=[])
        exact = [c for c in self.area_codes if c.count(".") == 3]  # desa: nothing lies below them
        q = Q(**{f"{field_name}__in": exact}) if exact else Q(pk__in=[])
        for code in self.area_codes:
            if code.count(".") < 3:
                q |= Q(**{field_name: code}) | Q(**{f"{field_name}__startswith": code + "."})
        return q

    def posyandu_q(self, desa_field: str = "desa__code", id_field: str = "pk") -> Q:
        if self.posyandu_ids is not None:
            return Q(**{f"{id_field}__in": sorted(self.posyandu_ids)})
        return self.region_q(desa_field)

    def puskesmas_q(self, kecamatan_field: str = "kecamatan__code", id_field: str = "pk") -> Q:
        if self.posyandu_ids is not None:  # a kader sees no puskesmas list
            return Q(pk__in=[])
        q = self.region_q(kecamatan_field)
        if self.puskesmas_ids:
            q |= Q(**{f"{id_field}__in": sorted(self.puskesmas_ids)})
        return q

    def top_codes(self) -> list[str]:
        """The scope's own areas without those already inside another one, sorted."""
        codes = sorted(self.area_codes)
        return [c for c in codes if not any(c != o and c.startswith(o + ".") for o in codes)]


EMPTY_SCOPE = Scope()


def scope_of(user) -> Scope:
    """The scope of a request's user (anonymous users have none)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    return user.scope


def get_in_scope_or_404(queryset, **lookup):
    """Fetch one object from an already-scoped queryset; anything outside answers 404, never 403."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _mark(view: Callable, policy: str, permission: str | None = None) -> Callable:
    setattr(view, SCOPE_ATTR, policy)
    view.binasehat_permission = permission
    return view


def public(view: Callable) -> Callable:
    """A view anyone may open, logged in or not. It must show no record data."""
    return _mark(view, PUBLIC)


def _login_wrapper(view: Callable, policy: str, permission: str | None) -> Callable:
    from django.contrib.auth.views import redirect_to_login

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if permission and not scope_of(request.user).can(permission):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return _mark(wrapped, policy, permission)


def area_scoped(view: Callable | None = None, *, permission: str | None = None):
    """A view that reads records only through selectors taking ``request.user``.

    ``permission`` (e.g. ``"facilities.change"``) is a role permission checked before the view runs.
    """
    if view is None:
        return lambda v: _login_wrapper(v, AREA, permission)
    return _login_wrapper(view, AREA, permission)


def own_records(view: Callable) -> Callable:
    """A view touching only the logged-in user's own records."""
    return _login_wrapper(view, OWN, None)


def policy_of(view: Callable) -> str | None:
    """The declared policy of a resolved view function (class-based views included)."""
    policy = getattr(view, SCOPE_ATTR, None)
    if policy is None and hasattr(view, "view_class"):
        policy = getattr(view.view_class, SCOPE_ATTR, None)
    return policy


def codes_in(codes: Iterable[str], scope: Scope) -> list[str]:
    return [c for c in codes if scope.covers(c)]
