"""Reads for Desa Siaga and KKS, scoped to the acting user.

Desa Siaga results are computed when read, from the records as they are now: a kader leaving the registry, a
posyandu's year or a PIS-PK survey changes a desa's stratum without anyone re-entering anything."""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from binasehat.assessments import rules as ruleset_rules
from binasehat.assessments.models import PosyanduEvaluation
from binasehat.assessments.services import ensure_evaluated, posyandu_existing_in
from binasehat.cadres.selectors import kader_counts_by_posyandu
from binasehat.core.periods import Period
from binasehat.core.scope import get_in_scope_or_404, scope_of
from binasehat.families.models import Survey
from binasehat.regions.models import Population, Region

from . import rules
from .models import (
    Institution, KksAnswer, KksAssessment, KksEvidence, KksIndicator, KksRound, RuleParameter, SiagaInput,
)
from .reference import SIAGA_RULESET, siaga_ruleset

#: PIS-PK indicators that are also PHBS rumah tangga indicators (persalinan di faskes, ASI eksklusif, penimbangan
#: balita, tidak merokok, air bersih, jamban sehat). A surveyed family counts as a PHBS household when it has T
#: on none of them (implementation choice; shown as not verified).
PHBS_PISPK = (1, 3, 4, 8, 10, 11)  # 0-based positions in Survey.values


# --- Desa Siaga ------------------------------------------------------------------------------------------------

def siaga_desa_for_user(user, area_code: str | None = None):
    """The desa whose Desa Siaga results the user sees: inside the user's area and in a kabupaten/kota this
    installation serves (one with a puskesmas). A province user of an installation that serves some of its
    districts sees those districts' desa only: desa of districts without any record here are not "belum Siaga
    Aktif", they are not assessed by this system at all (``siaga_unserved_districts`` names them)."""
    from binasehat.core.district_settings import districts_served

    scope = scope_of(user)
    if scope.posyandu_ids is not None:
        return Region.objects.none()
    qs = Region.objects.filter(level=4).filter(scope.region_q("code")).select_related("parent")
    served = sorted(districts_served())
    if served:
        qs = qs.filter(functools.reduce(operator.or_, (Q(code__startswith=c + ".") for c in served)))
    if area_code:
        qs = qs.filter(Q(code=area_code) | Q(code__startswith=area_code + "."))
    return qs.order_by("code")


def siaga_unserved_districts(user) -> list[Region]:
    """Kabupaten/kota inside the user's area that this installation does not serve (no puskesmas): their desa are
    left out of the Desa Siaga results, and the page says so."""
    from binasehat.core.district_settings import districts_served

    scope = scope_of(user)
    served = districts_served()
    if not served or scope.posyandu_ids is not None:
        return []
    return [r for r in Region.objects.filter(level=2).filter(scope.region_q("code")).order_by("code")
            if r.code not in served]


def siaga_parameters() -> tuple[dict, dict, dict]:
    """The resolved rule set definition, the parameter values in use and the parameter descriptions."""
    ruleset = siaga_ruleset()
    overrides = dict(RuleParameter.objects.filter(ruleset_code=SIAGA_RULESET).values_list("key", "value"))
    resolved, params = rules.resolve_parameters(ruleset.definition, overrides)
    described = {k: {**p, "value": params[k], "is_default": k not in overrides}
                 for k, p in ruleset.definition.get("parameters", {}).items()}
    return resolved, params, described


def _phbs_from_pispk(codes: list[str], year: int, min_coverage: float) -> dict[str, dict]:
    """Per desa: surveyed families (latest survey of ``year``), households, coverage and the PHBS share."""
    latest: dict[int, tuple[str, str, bool]] = {}
    rows = (Survey.objects.filter(family__desa_id__in=codes, visited_on__year=year)
            .order_by("family_id", "-visited_on").values_list("family_id", "family__desa_id", "values", "complete"))
    for fid, desa, values, complete in rows.iterator(chunk_size=5000):
        latest.setdefault(fid, (desa, values, complete))
    households: dict[str, int] = {}
    for code, y, n in (Population.objects.filter(region_id__in=codes, year__lte=year, households__isnull=False)
                       .order_by("region_id", "year").values_list("region_id", "year", "households")):
        households[code] = n  # the latest year up to ``year``
    out: dict[str, dict] = {}
    for desa, values, complete in latest.values():
        d = out.setdefault(desa, {"surveyed": 0, "phbs": 0})
        if not complete:
            continue
        d["surveyed"] += 1
        d["phbs"] += all(values[i] != "T" for i in PHBS_PISPK)
    for code in codes:
        d = out.setdefault(code, {"surveyed": 0, "phbs": 0})
        hh = households.get(code)
        d["households"] = hh
        d["coverage"] = 100.0 * d["surveyed"] / hh if hh else None
        d["used"] = bool(d["surveyed"]) and d["coverage"] is not None and d["coverage"] >= min_coverage - 1e-9
        d["percent"] = round(100.0 * d["phbs"] / d["surveyed"], 1) if d["surveyed"] else None
    return out


def forum_meetings(year: int, codes: list[str]) -> dict[str, int] | None:
    """Forum desa meetings recorded in the follow-up module, when it is installed."""
    if not apps.is_installed("binasehat.followups"):
        return None
    from binasehat.followups.selectors import forum_desa_meetings  # optional app

    return forum_desa_meetings(year=year, desa_codes=codes)


@dataclass
class SiagaRow:
    code: str
    name: str
    kecamatan_code: str
    kecamatan_name: str
    stratum: str | None
    values: dict
    sources: dict
    levels: dict
    next_level: str | None
    missing: list
    posyandu_total: int
    posyandu_aktif: int
    entered: SiagaInput | None
    incomplete: list = field(default_factory=list)

    def value_text(self, key: str) -> str:
        v = self.values.get(key)
        if v is None:
            return ""
        if key == "forum":
            return rules.FORUM_LEVELS[v]
        if key == "peraturan":
            return rules.PERATURAN_LEVELS[v]
        if key == "akses_harian":
            return "ya" if v else "tidak"
        if key == "phbs_rt_persen":
            return f"{float(v):.1f}"
        return str(v)


def siaga_compute(desa: list[Region], year: int) -> list[SiagaRow]:
    """Desa Siaga results for ``desa`` (already in the user's scope) in ``year``."""
    definition, params, _described = siaga_parameters()
    codes = [d.code for d in desa]
    if not codes:
        return []
    posyandu = list(posyandu_existing_in(year).filter(desa_id__in=codes).values_list("pk", "desa_id"))
    ids = [pk for pk, _d in posyandu]
    if year <= dt.date.today().year:
        from binasehat.facilities.models import Posyandu

        ensure_evaluated(year=year, posyandu_queryset=Posyandu.objects.filter(pk__in=ids))
    counts = kader_counts_by_posyandu(ids, on_date=dt.date(year, 12, 31))
    evals = {}
    for pid, code, result, inputs in PosyanduEvaluation.objects.filter(
            year=year, posyandu_id__in=ids).values_list("posyandu_id", "ruleset_code", "result", "inputs"):
        evals.setdefault(pid, {})[code] = (result, inputs)
    per_desa: dict[str, dict] = {c: {"kader": 0, "operating": 0, "aktif": 0, "total": 0} for c in codes}
    for pid, desa_code in posyandu:
        d = per_desa[desa_code]
        d["total"] += 1
        d["kader"] += counts.get(pid, {}).get("n_active", 0)
        strata = evals.get(pid, {}).get("posyandu-strata-2011")
        if strata and (strata[1].get("opening_months") or 0) > 0:
            d["operating"] += 1
        if evals.get(pid, {}).get("posyandu-aktif", ("",))[0] == "ya":
            d["aktif"] += 1
    entered = {i.desa_id: i for i in SiagaInput.objects.filter(year=year, desa_id__in=codes)}
    meetings = forum_meetings(year, codes)
    phbs = _phbs_from_pispk(codes, year, float(params.get("phbs_pispk_min_coverage", 80)))
    out = []
    for region in desa:
        c = region.code
        e = entered.get(c)
        who = (_("dientri oleh %(who)s") % {"who": e.entered_by or _("sistem")}) if e else ""
        values, sources, incomplete = {}, {}, []
        d = per_desa[c]
        values["kader"] = d["kader"]
        sources["kader"] = _("dihitung: kader aktif di register, %(n)s posyandu") % {"n": d["total"]}
        values["posyandu"] = d["operating"]
        sources["posyandu"] = _("dihitung: posyandu yang buka pada tahun ini (laporan bulanan)")
        forum_computed = rules.forum_from_meetings(meetings.get(c, 0)) if meetings is not None else None
        if forum_computed is not None:
            values["forum"] = forum_computed
            sources["forum"] = _("dihitung: %(n)s pertemuan forum desa tercatat") % {"n": meetings.get(c, 0)}
        else:
            values["forum"] = e.forum_level if e else None
            sources["forum"] = who
        p = phbs[c]
        if p["used"]:
            values["phbs_rt_persen"] = p["percent"]
            sources["phbs_rt_persen"] = _("dihitung: PIS-PK, %(phbs)s dari %(n)s keluarga terdata (cakupan %(cov).0f %%)") % {
                "phbs": p["phbs"], "n": p["surveyed"], "cov": p["coverage"]}
        else:
            values["phbs_rt_persen"] = float(e.phbs_rt_persen) if e and e.phbs_rt_persen is not None else None
            sources["phbs_rt_persen"] = who
            if p["surveyed"]:
                sources["phbs_rt_persen"] += " · " + _("PIS-PK baru mencakup %(cov).0f %% rumah tangga") % {
                    "cov": p["coverage"] or 0}
        for key in ("akses_harian", "ukbm_lain_aktif", "dana_sumber_lain", "ormas_aktif"):
            values[key] = getattr(e, key) if e else None
            sources[key] = who
        values["peraturan"] = e.peraturan_level if e else None
        sources["peraturan"] = who
        for key in rules.CRITERIA:
            if values.get(key) is None:
                incomplete.append(key)
                sources[key] = _("belum diisi")
        inputs = rules.evaluation_inputs(values)
        outcome = ruleset_rules.evaluate(definition, inputs)
        out.append(SiagaRow(
            code=c, name=region.name, kecamatan_code=region.parent_id or "",
            kecamatan_name=region.parent.name if region.parent_id else "", stratum=outcome.result,
            values=values, sources=sources, levels=rules.criterion_levels(definition, inputs),
            next_level=outcome.next_level, missing=outcome.missing, posyandu_total=d["total"],
            posyandu_aktif=d["aktif"], entered=e, incomplete=incomplete,
        ))
    return out


def siaga_results(user, year: int, area_code: str | None = None) -> list[SiagaRow]:
    return siaga_compute(list(siaga_desa_for_user(user, area_code)), year)


@dataclass
class KecamatanRecap:
    code: str
    name: str
    strata: dict
    total: int
    aktif: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.aktif / self.total if self.total else None

    @property
    def cells(self) -> list[int]:
        """Counts per stratum (Pratama … Mandiri), then not Siaga Aktif."""
        return [self.strata[s] for s in (*rules.STRATA, "")]

    @property
    def meets_target(self) -> bool:
        return self.percent is not None and self.percent >= rules.SIAGA_TARGET - 1e-9


def siaga_recap(rows: list[SiagaRow]) -> tuple[list[KecamatanRecap], KecamatanRecap]:
    """Strata per kecamatan and the total, with the share of Desa Siaga Aktif (SPM target 80 %)."""
    groups: dict[str, KecamatanRecap] = {}
    total = KecamatanRecap("", _("Jumlah"), {s: 0 for s in (*rules.STRATA, "")}, 0, 0)
    for r in rows:
        g = groups.setdefault(r.kecamatan_code, KecamatanRecap(
            r.kecamatan_code, r.kecamatan_name, {s: 0 for s in (*rules.STRATA, "")}, 0, 0))
        for target in (g, total):
            target.strata[r.stratum or ""] += 1
            target.total += 1
            target.aktif += bool(r.stratum)
    return [groups[k] for k in sorted(groups)], total


# --- Kabupaten/Kota Sehat --------------------------------------------------------------------------------------

def user_institutions(user):
    return Institution.objects.filter(members=user) if getattr(user, "is_authenticated", False) else \
        Institution.objects.none()


def kks_assessments_for_user(user):
    scope = scope_of(user)
    qs = KksAssessment.objects.select_related("round", "district")
    if scope.role == "opd":
        return qs.filter(answers__owner__in=user_institutions(user)).distinct()
    qs = qs.filter(scope.region_q("district__code"))
    if scope.role == "provinsi":  # a province verifier sees its districts' assessments once submitted
        qs = qs.exclude(status=KksAssessment.DRAFT)
    return qs


def kks_assessment_get(user, pk) -> KksAssessment:
    return get_in_scope_or_404(kks_assessments_for_user(user), pk=pk)


def kks_answers_for_user(user, assessment: KksAssessment | None = None):
    qs = KksAnswer.objects.select_related("indicator", "indicator__tatanan", "owner", "assessment",
                                          "assessment__round", "assessment__district")
    qs = qs.filter(assessment__in=kks_assessments_for_user(user))
    if scope_of(user).role == "opd":
        qs = qs.filter(owner__in=user_institutions(user))
    if assessment is not None:
        qs = qs.filter(assessment=assessment)
    return qs


def kks_answer_get(user, pk) -> KksAnswer:
    return get_in_scope_or_404(kks_answers_for_user(user), pk=pk)


def kks_evidence_get(user, pk) -> KksEvidence:
    return get_in_scope_or_404(KksEvidence.objects.filter(answer__in=kks_answers_for_user(user)), pk=pk)


def kks_rounds():
    return KksRound.objects.all()


def institutions_for(district_code: str):
    return Institution.objects.filter(district_id=district_code)


def _indicator_by_code(codes):
    from binasehat.indicators.models import Indicator

    codes = [codes] if isinstance(codes, str) else list(codes)
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    return next((found[c] for c in codes if c in found), None)


@dataclass
class Prefill:
    indicator_code: str
    value: float | None
    previous: float | None
    target: float | None
    option: int | None
    period: str
    link: str
    note: str = ""
    changed: bool = False  # the data differ from what they were when the assessment was submitted


def kks_prefill(indicator: KksIndicator, district_code: str, year: int, submitted: dict | None = None) -> Prefill | None:
    """What the indicator engine gives for a computable KKS indicator, and the option it reaches."""
    spec = indicator.compute
    if not spec:
        return None
    from binasehat.indicators.engine import table

    ind = _indicator_by_code(spec["indicator"])
    if ind is None:
        return None
    this, last = Period(year), Period(year - 1)
    values = table([ind], [district_code], [this, last])
    now = values.get((ind.code, district_code, str(this)))
    before = values.get((ind.code, district_code, str(last)))
    value = now.value if now else None
    previous = before.value if before else None
    target = ind.target_for(year)
    if spec.get("trend"):
        option = rules.option_from_trend(value, previous, target)
    else:
        option = rules.option_from_value(value, spec["bands"])
    link = reverse("reports:dashboard") + f"?wilayah={district_code}&tahun={year}&ind={ind.code}"
    shown = None if value is None else round(value, 2)
    changed = submitted is not None and submitted.get("value") != shown
    return Prefill(ind.code, shown, previous, target, option, str(this), link, spec.get("note", ""), changed)


@dataclass
class TatananView:
    number: int
    name: str
    answers: list
    score: float | None
    lacks: tuple | None = None

    @property
    def below_full(self) -> list[str]:
        """Codes of the shown indicators not yet at their highest option: where the tatanan can gain."""
        return [a.indicator.code for a in self.answers
                if a.effective is None or a.effective < max(a.indicator.scores, default=0)]


def kks_overview(assessment: KksAssessment, answers) -> tuple[list[TatananView], rules.KksResult]:
    """Tatanan with their answers and scores, and the category (from every indicator, not only those shown)."""
    rnd = assessment.round
    all_answers = list(KksAnswer.objects.filter(assessment=assessment).select_related("indicator__tatanan"))
    by_tatanan: dict[int, list[int | None]] = {t.number: [] for t in rnd.tatanan.all()}
    for a in all_answers:
        by_tatanan.setdefault(a.indicator.tatanan.number, []).append(a.effective)
    tatanan = list(rnd.tatanan.all())
    scores = [rules.tatanan_score(by_tatanan.get(t.number, [])) for t in tatanan]
    docs = assessment.basic_documents or {}
    result = rules.kks_category(
        scores, thresholds=rnd.thresholds, basis=rnd.score_basis,
        odf_percent=float(assessment.odf_percent) if assessment.odf_percent is not None else None,
        odf_min=rnd.odf_min, basic_documents_ok=all(docs.get(d["key"], {}).get("ada") for d in rnd.basic_documents),
        require_basic_documents=rnd.require_basic_documents)
    shown: dict[int, list] = {}
    for a in answers:
        shown.setdefault(a.indicator.tatanan.number, []).append(a)
    views = [TatananView(t.number, t.name, shown.get(t.number, []), scores[i], result.lacks[i])
             for i, t in enumerate(tatanan)]
    return views, result


def kks_answer_prefill(answer: KksAnswer) -> Prefill | None:
    a = answer.assessment
    return kks_prefill(answer.indicator, a.district_id, a.round.year, answer.submitted_data)


def require(condition: bool):
    if not condition:
        raise Http404
