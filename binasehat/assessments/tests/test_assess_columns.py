"""The national path of ``posyandu_evaluate``: results as columns (``rules.evaluate_columns``), inputs written as
JSON text, kader with an SK counted per pass, and what is stored. Each is held equal to its reference: the
per-row ``rules.evaluate`` (on the hand-worked cases of ``test_posyandu_rules`` and on generated posyandu-years
around every threshold), ``json.dumps``, the kader registry's own count, and the evaluations read back."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from binasehat.assessments import rules

from .test_evaluate_many import generated
from .test_posyandu_rules import AKTIF, STRATA, year


def _per_row(ruleset, inputs):
    out = []
    for i in range(len(inputs["opening_months"])):
        outcome = rules.evaluate(ruleset, {k: rules._plain(v[i]) for k, v in inputs.items()})
        out.append((outcome.result, outcome.next_level))
    return out


@pytest.mark.parametrize("ruleset", [STRATA, AKTIF], ids=["strata", "aktif"])
def test_columns_give_the_per_row_results_on_generated_years(ruleset):
    m, kader_sk = generated(3000, seed=11)
    for period in (12, 8, 7):
        inputs = rules.yearly_inputs(m, kader_sk, months_in_period=period)
        results, next_levels = rules.evaluate_columns(ruleset, inputs)
        assert list(zip(results, next_levels)) == _per_row(ruleset, inputs)
        if period == 12:
            assert len(set(map(str, results))) >= 2


def test_columns_give_the_hand_worked_results():
    """Exactly at every threshold (8 months... here 12 opened, 5 kader, every coverage and dana sehat exactly
    50 %): Mandiri and aktif. 7 opening months: Pratama (next Madya), not aktif. Without the extra programme:
    Madya (next Purnama). Dana sehat 49 %: Purnama (next Mandiri). Five kader with SK and one less."""
    cases = [year(opened_months=12), year(opened_months=7), year(extra=0), year(kk=(49, 100)), year()]
    m = {k: np.concatenate([c[k] for c in cases]) for k in cases[0]}
    inputs = rules.yearly_inputs(m, np.array([5, 5, 5, 5, 4]), months_in_period=12)
    strata = rules.evaluate_columns(STRATA, inputs)
    aktif = rules.evaluate_columns(AKTIF, inputs)
    assert strata == (["Mandiri", "Pratama", "Madya", "Purnama", "Mandiri"],
                      [None, "Madya", "Purnama", "Mandiri", None])
    assert aktif == ([True, False, False, True, False], [None] * 5)
    assert list(zip(*strata)) == _per_row(STRATA, inputs)
    assert list(zip(*aktif)) == _per_row(AKTIF, inputs)


def test_stored_inputs_of_the_shipped_rule_sets():
    assert rules.stored_inputs(STRATA) == ["recorded_months", "opening_months", "kader_avg", "ds_avg", "kia_cum",
                                           "kb_cum", "imunisasi_cum", "extra_program", "dana_sehat"]
    assert rules.stored_inputs(AKTIF) == ["recorded_months", "opening_months", "kader_sk", "services_8_months",
                                          "months_gizi_50", "months_kia_50", "months_kb_50", "months_imunisasi_50",
                                          "alat_pantau", "extra_program"]


def test_inputs_json_is_what_json_dumps_writes():
    from binasehat.assessments.services import _inputs_json

    m, kader_sk = generated(500, seed=3)
    inputs = rules.yearly_inputs(m, kader_sk)
    texts = _inputs_json(inputs)
    for i, text in enumerate(texts):
        plain = {k: rules._plain(v[i]) for k, v in inputs.items()}
        assert text == json.dumps(plain)
        back = json.loads(text)
        assert back == plain and all(type(back[k]) is type(plain[k]) for k in plain)


@pytest.mark.django_db
def test_kader_with_sk_equals_the_registry_count(demo):
    """``_kader_sk`` (one grouped query per pass) equals ``n_sk`` of the kader registry's selector, by the end
    of the year and by an earlier date (an SK dated later does not count yet)."""
    from binasehat.assessments.services import _kader_sk
    from binasehat.cadres.models import Kader
    from binasehat.cadres.selectors import kader_counts_by_posyandu
    from binasehat.facilities.models import Posyandu

    ids = sorted(Posyandu.objects.values_list("pk", flat=True))
    dated = sorted(Kader.objects.exclude(sk_date=None).values_list("sk_date", flat=True))
    assert dated
    for on_date in (dt.date(2025, 12, 31), dated[len(dated) // 2]):
        counts = kader_counts_by_posyandu(ids, on_date=on_date)
        expected = [counts.get(pk, {}).get("n_sk", 0) for pk in ids]
        assert _kader_sk(ids, on_date).tolist() == expected
        assert sum(expected) > 0
        sparse = ids[::7] + [max(ids) + 100_000]  # an IN list, one id without kader
        assert _kader_sk(sparse, on_date).tolist() == [dict(zip(ids, expected)).get(pk, 0) for pk in sparse]


@pytest.mark.django_db
def test_stored_evaluations_equal_the_reference(demo):
    """After one national pass, every stored evaluation: its inputs are those of the posyandu's records (read by
    ``month_arrays``), its result and next level those of ``rules.evaluate`` on them, and the criteria and what is
    missing, derived on display, are the reference's own."""
    from binasehat.assessments import services
    from binasehat.assessments.models import PosyanduEvaluation

    n = services.posyandu_evaluate(year=2025, today=dt.date(2026, 3, 5))
    evaluations = list(PosyanduEvaluation.objects.filter(year=2025).select_related("ruleset").order_by("posyandu_id"))
    assert n > 50 and len(evaluations) == 2 * n
    ids = sorted({e.posyandu_id for e in evaluations})
    inputs = rules.yearly_inputs(services.month_arrays(ids, 2025), services._kader_sk(ids, dt.date(2025, 12, 31)))
    index = {pk: i for i, pk in enumerate(ids)}
    seen = set()
    for e in evaluations:
        everything = {k: rules._plain(v[index[e.posyandu_id]]) for k, v in inputs.items()}
        assert e.inputs == {k: everything[k] for k in rules.stored_inputs(e.ruleset.definition)}
        outcome = rules.evaluate(e.ruleset.definition, everything)
        result = outcome.result if isinstance(outcome.result, str) else ("ya" if outcome.result else "tidak")
        assert (e.result, e.next_level) == (result, outcome.next_level or "")
        assert e.criteria == outcome.criteria and e.missing == outcome.missing
        assert e.months_covered == 12
        seen.add((e.ruleset_code, e.result))
    assert ("posyandu-aktif", "ya") in seen and ("posyandu-aktif", "tidak") in seen
