"""A masked NIK reveals no digit: digits 7–12 are the birth date (DDMMYY, day + 40 for women) printed beside it,
digits 1–6 the kecamatan of the address, so any digit shown helps restore the number."""

from __future__ import annotations

import re

from django.urls import reverse

from binasehat.cadres.models import Kader
from binasehat.core.personal import nik_for, nik_masked
from binasehat.families.models import Member


def test_finding_4_nik_mask_shows_no_digit():
    # A woman born 1 January 1990 registered in kecamatan 19.03.01 with serial 0001: 190301 | 41 01 90 | 0001.
    # The old mask "190301••••••0001" beside "P, lahir 1990-01-01" gave the whole number back.
    nik = "1903014101900001"
    shown = nik_masked(nik)
    assert not any(ch.isdigit() for ch in shown)
    assert shown == "••••••••••••••••"
    assert nik_masked("") == "" and nik_for(None, False) == ""
    assert nik_for(nik, True) == nik


def test_finding_4_kader_list_and_detail_show_no_nik_digit_to_the_kader(demo, client_for):
    from binasehat.accounts.models import User

    user = User.objects.get(username="kader")
    client = client_for(user)
    page = client.get(reverse("cadres:list")).content.decode()
    cells = re.findall(r"<code>(.*?)</code>", page)
    assert cells and all(not any(ch.isdigit() for ch in c) for c in cells)
    own = Kader.objects.filter(posyandu=user.posyandu.get()).exclude(nik="").first()
    detail = client.get(reverse("cadres:detail", args=[own.pk])).content.decode()
    assert own.nik[:6] + "•" not in detail and "•" + own.nik[-4:] not in detail
    assert re.search(r"<dt>NIK</dt><dd><code>•+</code></dd>", detail)


def test_finding_4_family_members_show_no_nik_digit_to_provinsi(demo, client_for):
    member = Member.objects.exclude(nik="").select_related("family").first()
    page = client_for("provinsi").get(reverse("families:detail", args=[member.family_id])).content.decode()
    assert member.name in page
    # the members table: name (with badges), NIK, relation, sex, birth date
    rows = re.findall(r"<tr><td>" + re.escape(member.name) + r"(?: <span[^<]*</span>)*</td><td>([^<]*)</td>", page)
    assert rows, "the member's row is on the page"
    row = rows[0]
    cells = [None, row]
    assert cells[1] == "••••••••••••••••"
    assert member.nik[:6] not in row and member.nik[-4:] not in row and member.nik[6:12] not in row
    assert member.family.no_kk not in page and member.family.no_kk[-4:] + "<" not in page
    # the roles that need it see it in full
    assert member.nik in client_for("dinkes").get(reverse("families:detail", args=[member.family_id])).content.decode()
