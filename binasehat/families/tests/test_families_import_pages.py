"""Imports (row reasons, idempotent re-import, corrections), scoped pages, home-visit lists, and the `iks`
command agreeing with the pages on the demo district."""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from binasehat.core.models import AuditEntry
from binasehat.families import rules, selectors
from binasehat.families.models import Answer, Family, Survey

HEADER = "no_kk,nik,name,sex,birth_date,relation,visit_date," + ",".join(rules.COLUMNS)


@pytest.fixture
def one_family(demo, tmp_path, import_data):
    fam = tmp_path / "kk.csv"
    fam.write_text("no_kk,head_name,desa_code,address,rt,rw\n"
                   "1903010101259901,Ahmad Sanusi,19.03.01.2004,Jl. Mawar 3,2,1\n", encoding="utf-8")
    code, out, err = import_data("families", str(fam))
    assert code == 0, out + err
    return tmp_path


def test_bad_rows_are_rejected_with_row_numbers_and_reasons(one_family, import_data):
    path = one_family / "anggota.csv"
    path.write_text(HEADER + "\n"
                    "1903010101259901,1903011203850002,Ahmad Sanusi,L,1985-03-12,kepala,2025-07-14,Y,N,N,N,N,N,T,N,T,Y,Y,Y\n"
                    "1903010101259901,1903015506200003,Nur Aini,P,2020-06-15,anak,2025-07-14,N,N,Y,N,N,N,N,N,Y,Y,,\n"
                    "1903010101259901,1903011203850009,Rudi,L,1990-01-01,anak,2025-07-14,N,N,N,N,N,N,N,N,X,Y,,\n"
                    "1903010101259999,,Bayi,L,2025-01-01,anak,2025-07-14,N,N,N,N,N,N,N,N,Y,Y,,\n"
                    "1903010101259901,1903011203850005,Dedi,L,1988-01-01,anak,2025-07-14,N,N,N,N,N,N,N,N,Y,Y,T,\n",
                    encoding="utf-8")
    code, out, err = import_data("members", str(path))
    assert code == 1
    assert "anggota.csv:3" in out and "12–23 bulan" in out  # immunisation for a 5-year-old
    assert "anggota.csv:4" in out and "Y, T, N atau kosong" in out
    assert "anggota.csv:5" in out and "No. KK 1903010101259999 tidak ditemukan" in out
    assert "anggota.csv:6" in out and "i11" in out and "berbeda" in out  # household answer contradicts row 2
    assert not Answer.objects.filter(survey__family__no_kk="1903010101259901").exists()  # all or nothing


def test_reimport_changes_nothing_and_a_correction_updates_only_what_changed(one_family, import_data):
    path = one_family / "anggota.csv"
    rows = [
        "1903010101259901,1903011203850002,Ahmad Sanusi,L,1985-03-12,kepala,2025-07-14,Y,N,N,N,N,N,T,N,T,Y,Y,Y",
        "1903010101259901,1903015506240003,Nur Aini,P,2024-06-15,anak,2025-07-14,N,N,Y,Y,Y,N,N,N,Y,Y,,",
    ]
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = import_data("members", str(path))
    assert code == 0 and out.strip().splitlines()[-1] == "created=2 updated=0 unchanged=0 rejected=0", out + err
    survey = Survey.objects.get(family__no_kk="1903010101259901")
    assert survey.values == "YNYYYNTNTYYY" and survey.complete and (survey.sum_y, survey.sum_t) == (7, 2)
    assert survey.iks_text == "0,778" and survey.category == rules.PRA_SEHAT
    code, out, err = import_data("members", str(path))
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=2 rejected=0"
    rows[0] = rows[0].replace(",T,N,T,Y,Y,Y", ",Y,N,T,Y,Y,Y")  # hypertension now treated
    path.write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = import_data("members", str(path))
    assert out.strip().splitlines()[-1] == "created=0 updated=1 unchanged=1 rejected=0"
    survey.refresh_from_db()
    assert survey.values == "YNYYYNYNTYYY" and survey.iks_text == "0,889" and survey.category == rules.SEHAT
    entry = AuditEntry.objects.filter(model="families.member", action="update").latest("id")
    assert entry.after == {"i07": "Y"}


def _members_csv(path):
    """The demo district's latest 2025 visit per family, written in the `iks` command's input format."""
    latest = {}
    for s in Survey.objects.filter(visited_on__year=2025).order_by("family_id", "-visited_on"):
        latest.setdefault(s.family_id, s.pk)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["no_kk", "desa_code", "rt", "rw", "nik", *rules.COLUMNS])
        for a in (Answer.objects.filter(survey_id__in=latest.values()).select_related("member__family")
                  .order_by("member__family__no_kk", "member_id")):
            f = a.member.family
            w.writerow([f.no_kk, f.desa_id, int(f.rt), int(f.rw), a.member.nik, *a.letters()])


def test_iks_command_and_pages_agree_on_the_demo_district(families_demo, demo, tmp_path, client_for):
    path = tmp_path / "members.csv"
    _members_csv(path)
    out = io.StringIO()
    call_command("iks", str(path), "--level", "desa", "--format", "csv", stdout=out)
    command = {r["area"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    from binasehat.accounts.models import User

    dinkes = User.objects.get(username="dinkes")
    figures, known = selectors.area_figures(dinkes, 2025, "desa", "19.03")
    assert set(command) == set(figures) and len(figures) == 53
    for code, f in figures.items():
        r = command[code]
        assert (int(r["families"]), int(r["families_complete"]), int(r["families_sehat"])) == (f.families, f.complete, f.sehat)
        assert r["iks"] == rules.ratio_text(f.sehat, f.complete, 6)
        for i, c in enumerate(rules.COLUMNS):
            assert (int(r[f"{c}_y"]), int(r[f"{c}_t"])) == (f.y[i], f.t[i])
            assert r[f"{c}_coverage"] == rules.ratio_text(f.y[i], f.y[i] + f.t[i], 6)
    # The page shows the same numbers (3 decimals for IKS, one for coverage percentages).
    page = client_for(dinkes).get(reverse("families:report"), {"tahun": 2025, "wilayah": "19.03", "tingkat": "desa"})
    assert page.status_code == 200
    html = page.content.decode()
    some = sorted(figures)[0]
    assert rules.ratio_text(figures[some].sehat, figures[some].complete, 3, ",") in html
    # Family level: each family's own IKS, and the kecamatan level sums the desa.
    out = io.StringIO()
    call_command("iks", str(path), "--level", "family", "--format", "csv", stdout=out)
    fam_rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    s = Survey.objects.filter(visited_on__year=2025, complete=True, category=rules.SEHAT).select_related("family").first()
    row = next(r for r in fam_rows if r["area"] == s.family.no_kk)
    assert row["iks"] == rules.ratio_text(s.sum_y, s.sum_y + s.sum_t, 6) and row["families_sehat"] == "1"
    assert sum(int(r["families_sehat"]) for r in fam_rows) == sum(f.sehat for f in figures.values())


def test_scope_sensitive_lists_and_audited_export(families_demo, demo, client_for, make_user):
    from binasehat.accounts.models import User
    from binasehat.facilities.models import Posyandu

    kader = make_user("kader-kk", "kader", posyandu=[Posyandu.objects.filter(desa__code__startswith="19.03.01.").first()])
    family = Family.objects.filter(desa__code__startswith="19.03.01.").first()
    c = client_for(kader)
    assert c.get(reverse("families:list")).status_code == 404
    assert c.get(reverse("families:detail", args=[family.pk])).status_code == 404
    provinsi = User.objects.get(username="provinsi")
    c = client_for(provinsi)
    assert c.get(reverse("families:home_visits"), {"indikator": 6}).status_code == 403
    page = c.get(reverse("families:detail", args=[family.pk])).content.decode()
    assert family.no_kk not in page  # masked
    bidan = User.objects.get(username="bidan")  # desa 19.03.02.2001
    assert client_for(bidan).get(reverse("families:detail", args=[family.pk])).status_code == 404
    pkm = User.objects.get(username="puskesmas")
    c = client_for(pkm)
    inside = Family.objects.filter(desa_id__in=pkm.scope.area_codes).first()
    assert c.get(reverse("families:detail", args=[inside.pk])).status_code == 200
    year = Survey.objects.latest("visited_on").visited_on.year
    listed = list(selectors.home_visit_families(pkm, 7, year))
    assert listed and all(f.desa_id in pkm.scope.area_codes for f in listed)
    before = AuditEntry.objects.filter(action="export").count()
    response = c.get(reverse("families:home_visits"), {"indikator": 7, "tahun": year, "format": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert all(f.no_kk in body for f in listed)
    assert AuditEntry.objects.filter(action="export").count() == before + len(listed)
    for fmt in ("xlsx", "pdf"):
        r = c.get(reverse("families:report"), {"tahun": year, "format": fmt})
        assert r.status_code == 200 and len(r.content) > 1000


def test_report_per_puskesmas_sums_its_wilayah_kerja(demo, client_for):
    """Aggregation over a puskesmas' wilayah kerja: the sum of its desa, never a mean of desa percentages."""
    from binasehat.accounts.models import User
    from binasehat.facilities.models import Puskesmas
    from binasehat.families import selectors

    dinkes = User.objects.get(username="dinkes")
    year = max(selectors.survey_years(dinkes))
    by_pkm, _known = selectors.area_figures(dinkes, year, "puskesmas", "19.03")
    by_desa, _known = selectors.area_figures(dinkes, year, "desa", "19.03")
    for pkm in Puskesmas.objects.filter(kecamatan__code__startswith="19.03."):
        desa = set(pkm.wilayah_kerja.values_list("code", flat=True))
        figures = by_pkm.get(pkm.code)
        if figures is None:
            continue
        assert figures.sehat == sum(f.sehat for code, f in by_desa.items() if code in desa)
        assert figures.complete == sum(f.complete for code, f in by_desa.items() if code in desa)
    page = client_for(dinkes).get(f"/keluarga/iks/?tahun={year}&wilayah=19.03&tingkat=puskesmas").content.decode()
    assert "Puskesmas Toboali" in page
