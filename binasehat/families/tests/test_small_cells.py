"""Small cells: roles without sensitive.view never see a count of families with a diagnosis (TB, hypertension,
mental illness) that could name them, nor a family's IKS arithmetic that gives its hidden answers back."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from binasehat.core.disclosure import small, suppressed
from binasehat.families import rules
from binasehat.families.models import Survey


@pytest.fixture(autouse=True)
def _pages_computed(settings):
    """These tests read the report's template context: the page computed each time, not kept whole."""
    settings.PAGE_CACHE = False


def test_finding_3_primary_and_secondary_suppression_hand_worked():
    # A desa with three RWs whose families with a TB patient are 1, 7 and 9 (total 17, shown). Hiding only the 1
    # would give it back as 17 − 7 − 9; so the smallest other RW (7) is hidden too.
    assert suppressed([1, 7, 9], ["19.03.01.2001"] * 3, threshold=5) == {0, 1}
    # two small cells already hide each other; zero is not a small cell (nobody to name)
    assert suppressed([2, 3, 10], ["d"] * 3, threshold=5) == {0, 1}
    assert suppressed([0, 6, 8], ["d"] * 3, threshold=5) == set()
    # groups are the rows under one shown total: the RWs of each desa separately
    assert suppressed([1, 7, 9, 6], ["a", "a", "b", "b"], threshold=5) == {0, 1}
    # a group of one: nothing to subtract from
    assert suppressed([3], ["a"], threshold=5) == {0}
    assert small(4, threshold=5) and not small(5, threshold=5) and not small(0, threshold=5)


def _report(client, **query):
    return client.get(reverse("families:report"), {"tahun": 2025, **query})


def _years(client):
    response = _report(client)
    return response.context["year"]


@pytest.mark.parametrize("tingkat", ["rw", "desa"])
def test_finding_3_provinsi_sees_no_small_diagnosis_count(demo, client_for, tingkat):
    dinkes = client_for("dinkes")
    year = _years(dinkes)
    full = _report(dinkes, tahun=year, tingkat=tingkat).context
    assert not any(r.hidden for r in full["rows"])
    small_rows = [(r.code, i) for r in full["rows"] for i in rules.DIAGNOSIS
                  if 0 < r.figures.y[i - 1] + r.figures.t[i - 1] < 5]
    provinsi = client_for("provinsi")
    response = _report(provinsi, tahun=year, tingkat=tingkat)
    assert response.status_code == 200
    shown = {r.code: r for r in response.context["rows"]}
    for code, i in small_rows:
        assert i in shown[code].hidden
    for r in response.context["rows"]:
        for i, y, d, c in r.cells:
            if i in rules.DIAGNOSIS and d is not None:
                assert d == 0 or d >= 5
            if i not in rules.DIAGNOSIS:
                assert d is not None  # only diagnoses are suppressed
    # no group loses exactly one cell of an indicator (it would come back by subtraction from the total)
    groups: dict = {}
    for r in response.context["rows"]:
        key = r.code.split("/")[0] if tingkat == "rw" else r.code.rsplit(".", 1)[0]
        groups.setdefault(key, []).append(r)
    for rows in groups.values():
        for i in rules.DIAGNOSIS:
            hidden = [r for r in rows if i in r.hidden]
            shown_nonzero = [r for r in rows if i not in r.hidden and r.figures.y[i - 1] + r.figures.t[i - 1]]
            assert len(hidden) != 1 or not shown_nonzero
    if small_rows:
        assert "&lt;5" in response.content.decode() and 'id="small-cells"' in response.content.decode()


def test_finding_3_xlsx_for_provinsi_leaves_small_cells_blank(demo, client_for):
    provinsi = client_for("provinsi")
    year = _years(provinsi)
    context = _report(provinsi, tahun=year, tingkat="rw").context
    hidden = {(r.code, i) for r in context["rows"] for i in r.hidden}
    assert hidden, "the demo has RWs with few families with a diagnosis"
    response = _report(provinsi, tahun=year, tingkat="rw", format="xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[3]]
    for row in sheet.iter_rows(min_row=4, values_only=True):
        for i in rules.DIAGNOSIS:
            if (row[0], i) in hidden:
                first = header.index(f"i{i:02d} Y")
                assert row[first:first + 3] == (None, None, None)


def test_finding_3_family_iks_without_the_arithmetic_for_provinsi(demo, client_for):
    first = Survey.objects.filter(complete=True).order_by("family_id").first()
    survey = Survey.objects.filter(family_id=first.family_id).order_by("-visited_on").first()  # the one shown
    url = reverse("families:detail", args=[survey.family_id])
    page = client_for("provinsi").get(url).content.decode()
    assert "ΣY / (12 − ΣN) =" not in page and f"{survey.sum_y} / (12 − {survey.sum_n})" not in page
    # the note on hidden indicators is the same whether or not one of them is T
    assert "hanya terlihat oleh petugas kesehatan" in page
    full = client_for("dinkes").get(url).content.decode()
    assert f"{survey.sum_y} / (12 − {survey.sum_n})" in full
