"""The Pokjanal / TP Posyandu recap: per area (kecamatan → desa → posyandu) the posyandu by stratum, Posyandu
Aktif, kader and SKDN for a year — every figure a count from the records, totals summed, never averaged."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Substr

from binasehat.assessments.selectors import evaluations_for_user
from binasehat.cadres.selectors import kader_for_user
from binasehat.core.scope import scope_of
from binasehat.facilities.selectors import posyandu_for_user
from binasehat.posyandu.models import PosyanduMonth
from binasehat.regions.models import Region
from binasehat.regions.selectors import top_regions_for_user

STRATA = ("Pratama", "Madya", "Purnama", "Mandiri")


@dataclass
class RecapRow:
    key: str  # area code, or posyandu id at the lowest level
    name: str
    link_code: str = ""  # area to drill into
    posyandu_pk: int | None = None
    desa: int = 0
    posyandu: int = 0
    strata: dict = field(default_factory=lambda: {s: 0 for s in STRATA})
    aktif: int = 0
    kader: int = 0
    kader_active: int = 0
    s: int = 0
    k: int = 0
    d: int = 0
    n: int = 0

    def pct(self, part: int, whole: int) -> float | None:
        return 100 * part / whole if whole else None

    @property
    def strata_pct(self):
        return {s: self.pct(v, self.posyandu) for s, v in self.strata.items()}

    @property
    def aktif_pct(self):
        return self.pct(self.aktif, self.posyandu)

    @property
    def ds(self):
        return self.pct(self.d, self.s)

    @property
    def nd(self):
        return self.pct(self.n, self.d)


def _add(target: RecapRow, source: RecapRow) -> None:
    for name in ("desa", "posyandu", "aktif", "kader", "kader_active", "s", "k", "d", "n"):
        setattr(target, name, getattr(target, name) + getattr(source, name))
    for s in STRATA:
        target.strata[s] += source.strata[s]


def pokjanal_recap(user, year: int, region: Region | None) -> tuple[list[RecapRow], RecapRow]:
    """Rows for the children of ``region`` (or the user's top areas), and their total."""
    scope = scope_of(user)
    by_posyandu = region is not None and region.level == 4
    if by_posyandu:
        children = []
        length = None
    else:
        children = list(top_regions_for_user(user)) if region is None else \
            list(Region.objects.filter(parent=region).filter(scope.region_q("code")))
        if not children:
            return [], RecapRow(key="total", name="")
        length = len(children[0].code)

    def keyed(qs, desa_path: str):
        if by_posyandu:
            return qs.filter(**{desa_path: region.code}), "posyandu_key"
        roots = [region.code] if region is not None else [c.code for c in children]
        q = Q()
        for code in roots:
            q |= Q(**{desa_path: code}) | Q(**{f"{desa_path}__startswith": code + "."})
        return qs.filter(q).annotate(area=Substr(desa_path, 1, length)), "area"

    rows: dict[str, RecapRow] = {}
    if by_posyandu:
        for p in posyandu_for_user(user).filter(desa=region):
            rows[str(p.pk)] = RecapRow(key=str(p.pk), name=p.name, posyandu_pk=p.pk)
    else:
        for c in children:
            rows[c.code] = RecapRow(key=c.code, name=c.name, link_code=c.code)

    def row(key) -> RecapRow | None:
        return rows.get(str(key))

    # Desa/kelurahan
    if not by_posyandu:
        qs, k = keyed(Region.objects.filter(level=4).filter(scope.region_q("code")), "code")
        for r in qs.values(k).annotate(n=Count("code")).order_by():
            if (target := row(r[k])) is not None:
                target.desa = r["n"]
    # Posyandu by stratum and aktif (those evaluated for the year)
    ev = evaluations_for_user(user, year)
    qs, k = keyed(ev, "posyandu__desa__code")
    if by_posyandu:
        qs = qs.annotate(posyandu_key=F("posyandu_id"))
    for r in qs.values(k, "ruleset_code", "result").annotate(n=Count("id")).order_by():
        target = row(r[k])
        if target is None:
            continue
        if r["ruleset_code"] == "posyandu-strata-2011":
            target.strata[r["result"]] = target.strata.get(r["result"], 0) + r["n"]
            target.posyandu += r["n"]
        elif r["result"] == "ya":
            target.aktif += r["n"]
    # Kader
    qs, k = keyed(kader_for_user(user).order_by(), "posyandu__desa__code")
    if by_posyandu:
        qs = qs.annotate(posyandu_key=F("posyandu_id"))
    for r in qs.values(k).annotate(n=Count("id"), act=Count("id", filter=Q(active=True))).order_by():
        if (target := row(r[k])) is not None:
            target.kader, target.kader_active = r["n"], r["act"]
    # SKDN summed over the year's monthly records
    months = PosyanduMonth.objects.filter(month__year=year).filter(
        scope.posyandu_q(desa_field="posyandu__desa__code", id_field="posyandu_id"))
    qs, k = keyed(months, "posyandu__desa__code")
    if by_posyandu:
        qs = qs.annotate(posyandu_key=F("posyandu_id"))
    for r in qs.values(k).annotate(s=Sum("s"), k_=Sum("k"), d=Sum("d"), n=Sum("n")).order_by():
        if (target := row(r[k])) is not None:
            target.s, target.k, target.d, target.n = (r["s"] or 0), (r["k_"] or 0), (r["d"] or 0), (r["n"] or 0)
    result = list(rows.values())
    if by_posyandu:
        for r in result:
            r.desa = 0
    total = RecapRow(key="total", name="")
    for r in result:
        _add(total, r)
    return result, total
