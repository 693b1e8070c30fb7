"""Desa Siaga from the system's own records: the kader registry, posyandu records and PIS-PK, with the entered
inputs and who entered them; the batch command agrees with the pages."""

import csv
import io
import re

from django.core.management import call_command
from django.urls import reverse

from binasehat.accounts.models import User
from binasehat.cadres.models import Kader
from binasehat.community import services
from binasehat.community.models import SiagaInput
from binasehat.community.selectors import PHBS_PISPK, siaga_compute
from binasehat.core.models import AuditEntry
from binasehat.families.models import Survey
from binasehat.regions.models import Population, Region

MANDIRI = {"forum": "bulanan", "akses_harian": True, "ukbm_lain_aktif": 4, "dana_sumber_lain": 3, "ormas_aktif": 2,
           "peraturan": "direalisasikan", "phbs_rt_persen": 80}


def _one(code, year=2025):
    return siaga_compute([Region.objects.get(code=code)], year)[0]


def test_kader_leaving_the_registry_changes_the_stratum(demo):
    """Mandiri needs ≥ 9 kader, Purnama 6–8, Madya 3–5, Pratama ≥ 2: nothing is re-entered, only the registry
    changes."""
    code = "19.03.01.1003"
    desa = Region.objects.get(code=code)
    version = services.siaga_input_save(actor=User.objects.get(username="dinkes"), desa=desa, year=2025,
                                        data=MANDIRI).version
    kader = list(Kader.objects.filter(posyandu__desa_id=code, active=True).order_by("pk"))
    assert len(kader) >= 9
    row = _one(code)
    assert row.values["kader"] == len(kader)
    assert row.stratum == "Mandiri"
    assert "register" in row.sources["kader"]

    def keep(n):
        Kader.objects.filter(pk__in=[k.pk for k in kader[n:]]).update(active=False)
        Kader.objects.filter(pk__in=[k.pk for k in kader[:n]]).update(active=True)

    for n, expected in ((9, "Mandiri"), (8, "Purnama"), (6, "Purnama"), (5, "Madya"), (3, "Madya"), (2, "Pratama"),
                        (1, None)):
        keep(n)
        row = _one(code)
        assert (row.values["kader"], row.stratum) == (n, expected)
    assert SiagaInput.objects.get(desa=desa, year=2025).version == version  # never re-entered


def test_configured_disputed_cell_changes_the_stratum_and_is_shown(demo, client_for):
    """The demo desa Jeriji has 2 other funding sources and every other Mandiri cell: Purnama with the default
    (≥ 3, Malang form), Mandiri when the district configures 2 (scribd 396776031)."""
    code = "19.03.01.2005"
    row = _one(code)
    assert row.values["dana_sumber_lain"] == 2
    assert row.stratum == "Purnama"
    assert [m["indicator"] for m in row.missing] == ["dana_sumber_lain"]
    client = client_for("dinkes")
    page = client.get(reverse("community:siaga_desa", args=[code]) + "?tahun=2025").content.decode()
    assert "belum terverifikasi" in page and "bawaan" in page
    services.rule_parameter_set(actor=User.objects.get(username="dinkes"), key="mandiri_dana_min", value=2)
    assert _one(code).stratum == "Mandiri"
    page = client.get(reverse("community:siaga_desa", args=[code]) + "?tahun=2025").content.decode()
    assert 'data-stratum="Mandiri"' in page and "dikonfigurasi" in page
    assert AuditEntry.objects.filter(model="community.ruleparameter").exists()


def test_phbs_from_pispk_only_where_the_desa_is_surveyed(demo):
    """PIS-PK gives the PHBS share when its latest surveys of the year cover ≥ 80 % of the households (default);
    below that the entered value is used and the coverage is shown."""
    code = "19.03.02.2001"
    desa = Region.objects.get(code=code)
    services.siaga_input_save(actor=None, desa=desa, year=2025, data={**MANDIRI, "phbs_rt_persen": 33})
    latest = {}
    for fid, values, complete in Survey.objects.filter(family__desa_id=code, visited_on__year=2025).order_by(
            "family_id", "-visited_on").values_list("family_id", "values", "complete"):
        latest.setdefault(fid, (values, complete))
    surveyed = [v for v, complete in latest.values() if complete]
    assert surveyed
    phbs = sum(1 for v in surveyed if all(v[i] != "T" for i in PHBS_PISPK))
    row = _one(code)
    assert row.values["phbs_rt_persen"] == 33.0  # a sample of families is not the desa
    assert "PIS-PK" in row.sources["phbs_rt_persen"]
    Population.objects.filter(region_id=code, year=2025).update(households=len(surveyed))
    row = _one(code)
    assert row.values["phbs_rt_persen"] == round(100 * phbs / len(surveyed), 1)
    assert row.sources["phbs_rt_persen"].startswith("dihitung: PIS-PK")


def test_entered_inputs_show_who_entered_them_and_are_audited(demo, client_for):
    code = "19.03.02.2001"
    bidan = User.objects.get(username="bidan")
    client = client_for(bidan)
    url = reverse("community:siaga_edit", args=[code]) + "?tahun=2025"
    response = client.post(url, {"forum": "triwulanan", "akses_harian": "true", "ukbm_lain_aktif": "3",
                                 "dana_sumber_lain": "2", "ormas_aktif": "2", "peraturan": "direalisasikan",
                                 "phbs_rt_persen": "45", "sk_number": "140/7/SK/2025", "sk_date": "2025-03-01",
                                 "evidence": "Notulen forum", "evidence_link": ""})
    assert response.status_code == 302
    item = SiagaInput.objects.get(desa_id=code, year=2025)
    assert item.entered_by == "bidan" and item.forum == "triwulanan"
    assert AuditEntry.objects.filter(model="community.siagainput", object_pk=str(item.pk), actor=bidan).exists()
    page = client.get(reverse("community:siaga_desa", args=[code]) + "?tahun=2025").content.decode()
    assert "dientri oleh bidan" in page
    # another desa is outside the bidan's area: 404, for the page and the form
    assert client.get(reverse("community:siaga_desa", args=["19.03.01.1003"])).status_code == 404
    assert client.get(reverse("community:siaga_edit", args=["19.03.01.1003"])).status_code == 404
    assert client_for("kader").get(reverse("community:siaga")).status_code == 404
    assert client_for("provinsi").get(reverse("community:siaga_edit", args=[code])).status_code == 403


def test_siaga_assess_agrees_with_the_pages(demo, client_for):
    out = io.StringIO()
    call_command("siaga_assess", "--year", "2025", "--area", "19.03", "--format", "csv", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0])[:5] == ["desa_code", "name", "stratum", "forum", "forum_result"]
    assert len(rows) == 53
    strata = {r["desa_code"]: r["stratum"] for r in rows}
    assert {"Pratama", "Madya", "Purnama", "Mandiri", ""} <= set(strata.values())
    page = client_for("dinkes").get(reverse("community:siaga") + "?tahun=2025&wilayah=19.03").content.decode()
    shown = dict(re.findall(r'<tr><td>(19\.03\.[\d.]+)</td>.*?data-stratum="([A-Za-z]*)"', page, re.S))
    assert shown == strata
    for r in rows[:3]:
        detail = client_for("dinkes").get(reverse("community:siaga_desa", args=[r["desa_code"]]) + "?tahun=2025")
        assert f'data-stratum="{r["stratum"]}"' in detail.content.decode()
        assert r["kader"] in detail.content.decode()


def test_district_report_xlsx_and_pdf(demo, client_for):
    from python_calamine import CalamineWorkbook

    client = client_for("dinkes")
    response = client.get(reverse("community:siaga") + "?tahun=2025&wilayah=19.03&format=xlsx")
    assert response.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    total = next(r for r in sheet if r and r[0] == "Jumlah")
    assert total[6] == 53  # Pratama..Mandiri, belum, then the number of desa
    assert total[9] == 80
    response = client.get(reverse("community:siaga") + "?tahun=2025&wilayah=19.03&format=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
