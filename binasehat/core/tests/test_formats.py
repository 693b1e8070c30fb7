"""Display formats through Django's localisation (binasehat/formats): Indonesian dates "31 Des 2025" or
31/12/2025, numbers with "." thousands and "," decimals (15.444; 67.616,5); English "31 Dec 2025", 15,444 and
67,616.5. Date inputs keep ISO (HTML requires it) and XLSX cells keep machine values (dates as dates)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation
from openpyxl import load_workbook

from binasehat.core import formatting
from binasehat.core.listing import xlsx_report

DAY = dt.date(2025, 12, 31)


def render(text: str, **context) -> str:
    return Template("{% load bina %}" + text).render(Context(context))


def test_indonesian_formats():
    with translation.override("id"):
        assert formatting.number(15444) == "15.444"  # the recap's S total, as the dashboard writes 67.616
        assert formatting.number(67616.5, 1) == "67.616,5"
        assert formatting.number(Decimal("81.50"), None) == "81,50"
        assert formatting.number(None) == "—"
        assert formatting.date_text(DAY) == "31 Des 2025"
        assert formatting.date_text(DAY, short=True) == "31/12/2025"
        assert formatting.date_text(dt.date(2026, 10, 10)) == "10 Okt 2026"
        assert render('{{ d }} · {{ d|date:"DATE_FORMAT" }} · {{ d|date:"SHORT_DATE_FORMAT" }}', d=DAY) == (
            "31 Des 2025 · 31 Des 2025 · 31/12/2025")
        assert render("{{ n|num }} {{ x|num:1 }} {{ 30|percent:33 }} {{ z|z }}", n=1234567, x=0.45, z=-1.234) == (
            "1.234.567 0,5 90,9 -1,23")
        assert render("{{ 3|month_name }}") == "Maret"


def test_english_formats():
    with translation.override("en"):
        assert formatting.number(15444) == "15,444"
        assert formatting.number(67616.5, 1) == "67,616.5"
        assert formatting.date_text(DAY) == "31 Dec 2025"
        assert render("{{ d }} {{ n|num }} {{ 30|percent:33 }}", d=DAY, n=1234567) == "31 Dec 2025 1,234,567 90.9"
        assert render("{{ 3|month_name }}") == "March"


def test_date_input_keeps_iso_in_every_language():
    class DayForm(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    for language in ("id", "en"):
        with translation.override(language):
            html = str(DayForm(initial={"day": DAY})["day"])
            assert 'value="2025-12-31"' in html, html
            assert DayForm({"day": "2025-12-31"}).is_valid()


@pytest.mark.django_db
def test_xlsx_report_writes_dates_as_dates():
    with translation.override("id"):
        response = xlsx_report(filename="t", sheet="s", title="T", header=["Tenggat", "Jumlah"],
                               rows=[[DAY, 15444]], number_format="#,##0")
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming
                                  else response.content)).active
    assert ws.cell(4, 1).value == dt.datetime(2025, 12, 31)  # a date cell, not the text "2025-12-31"
    assert ws.cell(4, 1).number_format == "dd/mm/yyyy"
    assert ws.cell(4, 2).value == 15444
