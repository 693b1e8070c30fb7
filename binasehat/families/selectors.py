"""Reads of families, members and surveys, scoped: by desa code (a puskesmas user: its wilayah kerja). A kader,
bound to a posyandu, sees no family."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Substr

from binasehat.core.scope import get_in_scope_or_404, scope_of
from binasehat.facilities.models import Puskesmas

from . import rules
from .models import Family, Survey


def families_for_user(user):
    scope = scope_of(user)
    if scope.posyandu_ids is not None:
        return Family.objects.none()
    return Family.objects.filter(scope.region_q("desa__code")).select_related("desa", "puskesmas")


def family_get(user, pk) -> Family:
    return get_in_scope_or_404(families_for_user(user), pk=pk)


def with_latest_survey(families, year: int | None = None):
    latest = Survey.objects.filter(family=OuterRef("pk"))
    if year:
        latest = latest.filter(visited_on__year=year)
    latest = latest.order_by("-visited_on")
    return families.annotate(
        last_visit=Subquery(latest.values("visited_on")[:1]),
        last_values=Subquery(latest.values("values")[:1]),
        last_category=Subquery(latest.values("category")[:1]),
        last_y=Subquery(latest.values("sum_y")[:1]),
        last_t=Subquery(latest.values("sum_t")[:1]),
        last_complete=Subquery(latest.values("complete")[:1]),
    )


def _within(region_code: str | None) -> Q:
    if not region_code:
        return Q()
    return Q(desa__code=region_code) | Q(desa__code__startswith=region_code + ".")


def survey_years(user) -> list[int]:
    fams = families_for_user(user)
    return sorted({d.year for d in Survey.objects.filter(family__in=fams.values("pk")).dates("visited_on", "year")},
                  reverse=True)


@dataclass
class AreaRow:
    code: str
    name: str
    known: int  # families recorded in the area (all known families)
    figures: rules.AreaFigures
    link: str = ""  # a region code to drill into
    #: Indicators whose counts this viewer may not see here (small cells): shown as suppressed.
    hidden: frozenset[int] = frozenset()

    @property
    def cells(self):
        """Per indicator: (number, families Y, families Y + T, coverage as an exact fraction or None); Y, Y + T
        and coverage are all None for a suppressed cell."""
        f = self.figures
        return [(i + 1, None, None, None) if (i + 1) in self.hidden else
                (i + 1, f.y[i], f.y[i] + f.t[i], f.coverage(i + 1)) for i in range(rules.N_INDICATORS)]

    @property
    def iks_all(self):
        from fractions import Fraction

        return Fraction(self.figures.sehat, self.known) if self.known else None


def latest_surveys(user, year: int, region_code: str | None = None, desa_codes: list[str] | None = None):
    """For every family in scope (and in the area) surveyed in ``year``: its latest survey of the year, as
    (family_id, no_kk, desa, rw, rt, values, complete). One query, ordered by family."""
    fams = families_for_user(user).filter(_within(region_code))
    if desa_codes is not None:
        fams = fams.filter(desa_id__in=desa_codes)
    rows = (Survey.objects.filter(family__in=fams.values("pk"), visited_on__year=year)
            .order_by("family_id", "-visited_on")
            .values_list("family_id", "family__no_kk", "family__desa_id", "family__rw", "family__rt", "values",
                         "complete"))
    out, last = [], None
    for r in rows.iterator(chunk_size=5000):
        if r[0] != last:
            out.append(r)
            last = r[0]
    return out, fams


def area_figures(user, year: int, level: str, region_code: str | None = None,
                 desa_codes: list[str] | None = None) -> tuple[dict[str, rules.AreaFigures], dict[str, int]]:
    """IKS and coverage counts per area at ``level`` (``rules.area_key``) for the families in scope: computed per
    RW with ``rules.area_counts`` and summed up to ``level`` with ``rules.roll_up``. Also the number of known
    families per area."""
    surveys, fams = latest_surveys(user, year, region_code, desa_codes)
    rw_keys = sorted({rules.area_key("rw", desa=s[2], rw=s[3]) for s in surveys})
    rw_index = {k: i for i, k in enumerate(rw_keys)}
    values = rules.values_from_text([s[5] for s in surveys])
    complete = np.array([s[6] for s in surveys], dtype=bool)
    group = np.array([rw_index[rules.area_key("rw", desa=s[2], rw=s[3])] for s in surveys], dtype=np.int64)
    counts = rules.area_counts(values, group, len(rw_keys), complete)
    if level == "puskesmas":  # a puskesmas' wilayah kerja: the desa it serves
        owner = dict(Puskesmas.wilayah_kerja.through.objects.values_list("region_id", "puskesmas__code"))

        def key_of(desa, rw=""):
            return owner.get(desa, "")
    else:
        def key_of(desa, rw=""):
            return rules.area_key(level, desa=desa, rw=rw)
    if level == "rw":
        keys, summed = rw_keys, counts
    else:
        parents = sorted({key_of(k.split("/")[0]) for k in rw_keys})
        parent_index = {k: i for i, k in enumerate(parents)}
        parent = np.array([parent_index[key_of(k.split("/")[0])] for k in rw_keys], np.int64)
        keys, summed = parents, rules.roll_up(counts, parent, len(parents))
    result = {k: rules.figures(summed, i) for i, k in enumerate(keys)}
    known: dict[str, int] = {}
    for r in fams.values("desa_id", "rw").annotate(n=Count("id")).order_by():
        k = key_of(r["desa_id"], r["rw"])
        known[k] = known.get(k, 0) + r["n"]
    return result, known


EMPTY_FIGURES = rules.AreaFigures(0, 0, 0, 0, 0, 0, (0,) * 12, (0,) * 12)


def home_visit_families(user, indicator: int, year: int | None, region_code: str | None = None):
    """Families whose latest survey (of ``year``, or ever) has T for ``indicator``."""
    fams = with_latest_survey(families_for_user(user).filter(_within(region_code)), year)
    return fams.annotate(value=Substr("last_values", indicator, 1)).filter(value="T")
