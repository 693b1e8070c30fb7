"""What the district dashboard, the pivot table, the map and the district profile show: indicator values from
the one engine, for areas inside the user's scope."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from binasehat.core.periods import Period, months_of_year
from binasehat.core.scope import scope_of
from binasehat.facilities.models import Puskesmas
from binasehat.indicators import engine
from binasehat.indicators.models import Indicator
from binasehat.programs.services import aggregate_key
from binasehat.regions.models import Region

def program_choices():
    return [("posyandu", _("Posyandu")), ("gizi", _("Gizi balita")), ("pispk", _("PIS-PK")),
            ("tb", _("Tuberkulosis")), ("jiwa", _("Kesehatan jiwa")), ("dbd", _("DBD"))]


@dataclass
class WorkArea:
    """A puskesmas' wilayah kerja as a dashboard area: its desa, plus the puskesmas' own programme data."""

    puskesmas: Puskesmas
    desa: list[Region]
    level = 3

    @property
    def code(self) -> str:
        return f"pkm:{self.puskesmas.code}"

    @property
    def name(self) -> str:
        return _("Wilayah kerja %(p)s") % {"p": self.puskesmas.name}

    @property
    def child_level_name(self) -> str:
        return _("Desa/kelurahan")

    def ancestor_codes(self) -> list[str]:
        return [self.puskesmas.kecamatan_id]

    @property
    def group(self) -> engine.AreaGroup:
        return engine.AreaGroup(self.code, (*(d.code for d in self.desa),
                                            aggregate_key(self.puskesmas.kecamatan_id, self.puskesmas.code)))


def spec(area):
    """What the engine is given for an area: its code, or a wilayah kerja's group."""
    return area.group if isinstance(area, WorkArea) else area.code


def _work_areas(puskesmas_qs) -> list[WorkArea]:
    out = []
    for p in puskesmas_qs.prefetch_related("wilayah_kerja").order_by("name"):
        out.append(WorkArea(p, sorted(p.wilayah_kerja.all(), key=lambda r: r.code)))
    return out


def dashboard_areas(user) -> list:
    """The areas a user may open a dashboard for: the wilayah kerja of the puskesmas it is bound to, then the
    scope's own areas (not a kader's posyandu)."""
    scope = scope_of(user)
    if scope.posyandu_ids is not None:
        return []
    if scope.everything:
        return list(Region.objects.filter(level=1).order_by("code"))
    work = _work_areas(Puskesmas.objects.filter(pk__in=scope.puskesmas_ids)) if scope.puskesmas_ids else []
    return work + list(Region.objects.filter(code__in=scope.top_codes()).order_by("code"))


def area_for(user, code: str | None) -> Region:
    """The requested area if inside the scope (404 otherwise), or the user's first area."""
    scope = scope_of(user)
    if scope.posyandu_ids is not None:
        raise Http404
    if code and code.startswith("pkm:"):
        work = _work_areas(Puskesmas.objects.filter(scope.puskesmas_q(), code=code[4:]))
        if not work:
            raise Http404
        return work[0]
    if code:
        if not scope.covers(code):
            raise Http404
        try:
            return Region.objects.get(code=code)
        except Region.DoesNotExist:
            raise Http404 from None
    areas = dashboard_areas(user)
    if not areas:
        raise Http404
    if scope.everything:  # the whole country: open on the first province that has posyandu
        from binasehat.facilities.models import Posyandu

        first = Posyandu.objects.order_by("desa_id").values_list("desa_id", flat=True).first()
        return next((a for a in areas if first and first.startswith(a.code + ".")), areas[0])
    return areas[0]


def indicators(program: str | None = None, codes: list[str] | None = None) -> list[Indicator]:
    qs = Indicator.objects.all()
    if program:
        qs = qs.filter(program=program)
    if codes:
        qs = qs.filter(code__in=codes)
    return list(qs)


@dataclass
class Card:
    indicator: Indicator
    value: engine.Value
    previous: engine.Value
    change: float | None
    improved: bool | None
    #: Monthly series for the trend chart: (this year, last year), each 12 values or None.
    series: tuple[list, list] = ((), ())
    #: Annualised indicators are plotted cumulatively from January against the prorated target (PWS).
    cumulative: bool = False
    #: The target as plotted: a number, or 12 prorated monthly values for a cumulative chart.
    target_line: object = None
    #: Where the target comes from, and whether the district set it itself.
    target_source: str = ""
    target_district: bool = False


def _round(ind: Indicator, v: float | None) -> float | None:
    return None if v is None else round(v, ind.decimals)


def period_of(year: int, last_month: int | None) -> Period:
    """The period a dashboard shows: the whole year, or January → the last complete month of the current year."""
    return Period(year) if not last_month else Period.to_month(year, last_month)


def _series(ind, rows, area, year, cumulative, upto: int | None):
    """12 monthly values: the month's value, or (cumulative) January → that month; None after ``upto``."""
    out = []
    for m in range(1, 13):
        if upto is not None and m > upto:
            out.append(None)
            continue
        p = Period.to_month(year, m) if cumulative else Period.month(year, m)
        out.append(_round(ind, rows[(ind.code, area, str(p))].value))
    return out


def _target_line(ind, year, cumulative):
    if not cumulative:
        return ind.target_for(year)
    target = ind.target_for(year)
    return None if target is None else [target * m / 12 for m in range(1, 13)]


def _card_rows(inds, area_spec, period, previous, year) -> dict:
    """The engine's values for the cards: each indicator's trend only in the form it is plotted (cumulative
    January → month for annualised indicators, else month by month), not both: half the values to compute."""
    cumulative = [i for i in inds if i.behaviour == Indicator.Behaviour.ANNUALISED]
    monthly = [i for i in inds if i.behaviour != Indicator.Behaviour.ANNUALISED]
    rows = {}
    for group, make in ((monthly, Period.month), (cumulative, Period.to_month)):
        if group:
            trend = [make(y, m) for y in (year, year - 1) for m in range(1, 13)]
            rows.update(engine.table(group, [area_spec], [period, previous, *trend]))
    return rows


def cards(user, area: Region, year: int, program: str | None = None, last_month: int | None = None) -> list[Card]:
    """One card per indicator: value for the year (or January → ``last_month``, cumulative, with the target
    prorated for annualised indicators), target with its source, change from the same period of the previous
    year, and the monthly trend of both years."""
    inds = indicators(program)
    period = period_of(year, last_month)
    previous = period.previous()
    rows = _card_rows(inds, spec(area), period, previous, year)
    out = []
    for ind in inds:
        cur, prev = rows[(ind.code, area.code, str(period))], rows[(ind.code, area.code, str(previous))]
        a, b = _round(ind, cur.value), _round(ind, prev.value)
        delta = None if a is None or b is None else round(a - b, ind.decimals)
        improved = None if not delta else (delta > 0) == (ind.direction == "up")
        cumulative = ind.behaviour == Indicator.Behaviour.ANNUALISED
        out.append(Card(ind, cur, prev, delta, improved,
                        (_series(ind, rows, area.code, year, cumulative, last_month),
                         _series(ind, rows, area.code, year - 1, cumulative, None)), cumulative,
                        _target_line(ind, year, cumulative), ind.target_source(year), ind.target_is_district(year)))
    return out


def sections(cards: list[Card]) -> list[dict]:
    """The cards by programme, in the order of their first indicator: label, cards, how many meet their target
    and how many do not (the headline of a folded section on a phone)."""
    labels = dict(program_choices())
    out: dict[str, dict] = {}
    for c in cards:
        code = c.indicator.program
        s = out.setdefault(code, {"code": code, "label": labels.get(code, _("Lainnya")), "cards": [], "met": 0,
                                  "not_met": 0})
        s["cards"].append(c)
        s["met"] += c.value.meets is True
        s["not_met"] += c.value.meets is False
    for s in out.values():
        s["total"] = len(s["cards"])
    return list(out.values())


def cards_key(*, area, year: int, program: str | None, last_month: int | None, selected: str,
              inds: list[Indicator], sees_small_cells: bool) -> str:
    """The cache key of the dashboard's rendered indicator table: everything it shows depends on (the area,
    year, programme, selected row, language, whether small cells are shown, every field of the indicators) and
    the data version of the two years it reads (``engine.data_version``: replaced by every write)."""
    fields = [f.attname for f in Indicator._meta.concrete_fields]
    spec = json.dumps([area.code, year, program, last_month, selected, get_language(), sees_small_cells,
                       [[getattr(i, f) for f in fields] for i in inds], engine.data_version([year, year - 1])],
                      default=str, sort_keys=True)
    return "reports:dashboard-cards:" + hashlib.sha256(spec.encode()).hexdigest()


def population(area, year: int) -> float | None:
    """The area's population in ``year`` by the rule (its own figure, else the sum of its children's); None when
    no figure exists anywhere below it."""
    import datetime as dt

    value = engine.input_sums(["penduduk"], [spec(area)], [dt.date(year, 1, 1)]).get(
        ("penduduk", area.code, dt.date(year, 1, 1)))
    return value or None


def children_of(area) -> list[Region]:
    if isinstance(area, WorkArea):
        return area.desa
    return list(Region.objects.filter(parent=area).order_by("code"))


def desa_of(area) -> list[Region]:
    if isinstance(area, WorkArea):
        return area.desa
    if area.level == 4:
        return [area]
    return list(Region.objects.filter(code__startswith=area.code + ".", level=4).order_by("code"))


def ranking(ind: Indicator, areas: list, period: Period) -> list[tuple[Region, engine.Value]]:
    """Areas ordered from best to worst (by the indicator's direction); areas without a value last."""
    rows = engine.table([ind], [spec(a) for a in areas], [period])
    pairs = [(a, rows[(ind.code, a.code, str(period))]) for a in areas]
    with_value = [p for p in pairs if p[1].value is not None]
    without = [p for p in pairs if p[1].value is None]
    with_value.sort(key=lambda p: p[1].value, reverse=ind.direction == "up")
    return with_value + without


def pivot(inds: list[Indicator], areas: list[Region], periods: list[Period]):
    """Rows (indicator, area, [Value per period]) for the pivot table and its XLSX."""
    rows = engine.table(inds, [spec(a) for a in areas], periods)
    return [(ind, a, [rows[(ind.code, a.code, str(p))] for p in periods]) for ind in inds for a in areas]


def period_set(year: int, kind: str) -> list[Period]:
    if kind == "month":
        return months_of_year(year)
    if kind == "quarter":
        return [Period(year, "quarter", q) for q in range(1, 5)]
    if kind == "years":
        return [Period(y) for y in range(year - 4, year + 1)]
    return [Period(year)]
