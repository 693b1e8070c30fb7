"""Reporting periods on screen read as words (November 2026, Triwulan 4 2025), not DHIS2's machine form."""

import re

from django.utils import translation

from binasehat.core.periods import Period
from binasehat.core.templatetags.bina import period_name


def test_period_names_by_hand():
    with translation.override("id"):
        assert period_name("2026-11") == "November 2026"
        assert period_name(Period(2025, "month", 3)) == "Maret 2025"
        assert period_name("2025Q4") == "Triwulan 4 2025"
        assert period_name("2026") == "2026"
        assert period_name("bukan periode") == "bukan periode"
    with translation.override("en"):
        assert period_name("2026-11") == "November 2026"
        assert period_name("2026-08") == "August 2026"


def test_programme_page_names_its_periods(demo, client_for):
    html = client_for("dinkes").get("/data/").content.decode()
    text = re.sub(r"<[^>]+>", " ", html)
    assert re.search(r"Periode (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|"
                     r"Desember) 20\d\d:", text)
    assert not re.search(r"Periode 20\d\d-\d\d", text)


def test_a_quarter_is_named_in_the_language_of_the_page():
    from django.utils import translation

    from binasehat.core.periods import QUARTER, Period

    with translation.override("id"):
        assert Period(2025, QUARTER, 3).label() == "Triwulan 3 2025"
    with translation.override("en"):
        assert Period(2025, QUARTER, 3).label() == "Quarter 3 2025"
