"""The kader registry: NIK validated, levels from passed skills, NIK hidden and exports refused for kader."""

from django.urls import reverse

from binasehat.cadres import rules
from binasehat.cadres.models import Kader, KaderSkill, Level, Skill
from binasehat.cadres.selectors import levels_for
from binasehat.facilities.models import Posyandu


def test_nik_checks():
    assert rules.nik_problem("1903014101850003") is None  # woman born 1 Jan 1985 (day + 40)
    assert rules.nik_problem("190301410185000") == "NIK harus 16 angka."
    assert "tanggal" in rules.nik_problem("1903019913850003")
    assert "0000" in rules.nik_problem("1903014101850000")


def test_level_rule_from_reference_data():
    """Default reading (RULES-2.md §1.4, configurable): Purwa = Pengelolaan + Bayi dan Balita + one more group;
    Madya = four groups; Utama = all five."""
    levels = [{"code": "purwa", "order": 1, "required_groups": ["pengelolaan", "balita"], "min_groups": 3},
              {"code": "madya", "order": 2, "required_groups": ["pengelolaan", "balita"], "min_groups": 4},
              {"code": "utama", "order": 3, "required_groups": ["pengelolaan", "balita"], "min_groups": 5}]
    assert rules.level_of({"pengelolaan", "balita"}, levels) is None
    assert rules.level_of({"pengelolaan", "balita", "ibu"}, levels) == "purwa"
    assert rules.level_of({"pengelolaan", "ibu", "remaja", "dewasa"}, levels) is None  # balita missing
    assert rules.level_of({"pengelolaan", "balita", "ibu", "remaja"}, levels) == "madya"
    assert rules.level_of({"pengelolaan", "balita", "ibu", "remaja", "dewasa"}, levels) == "utama"
    groups = {"g": ["a", "b"], "h": ["c"]}
    assert rules.completed_groups(["a", "c"], groups) == {"h"}


def test_reference_data_loaded(demo):
    assert Skill.objects.count() == 25
    assert Skill.objects.filter(placeholder=True).exists()
    assert set(Level.objects.values_list("code", flat=True)) == {"purwa", "madya", "utama"}


def test_level_computed_from_passed_skills(demo):
    kader = Kader.objects.first()
    for skill in Skill.objects.filter(group__in=["pengelolaan", "balita", "ibu"]):
        KaderSkill.objects.create(kader=kader, skill=skill)
    assert levels_for([kader.pk]) == {kader.pk: "purwa"}


def test_import_validates_nik_and_sex(demo, tmp_path, import_data):
    p = Posyandu.objects.filter(active=True).first()
    path = tmp_path / "kader.csv"
    path.write_text("nik,name,sex,posyandu_code,sk_number,sk_date,active\n"
                    f"1903014101900001,Rina Baru,P,{p.code},141/1/SK/2025,2025-01-02,ya\n"
                    f"12345,Salah NIK,P,{p.code},,,ya\n"
                    f"1903014101900002,Salah Kelamin,X,{p.code},,,ya\n"
                    f"1903014101900003,Tanpa Nomor SK,P,{p.code},,2025-01-02,ya\n", encoding="utf-8")
    code, out, err = import_data("kader", str(path), "--partial")
    assert out.strip().splitlines()[-1] == "created=1 updated=0 unchanged=0 rejected=3"
    assert "16 angka" in out and "L/P (Laki-laki/Perempuan)" in out and "sk_number kosong" in out
    assert Kader.objects.get(nik="1903014101900001").posyandu == p


def test_kader_sees_masked_nik_and_cannot_export(demo, client_for):
    client = client_for("kader")
    page = client.get(reverse("cadres:list")).content.decode()
    from binasehat.accounts.models import User

    own = Kader.objects.filter(posyandu=User.objects.get(username="kader").posyandu.get()).first()
    assert own.name in page and own.nik not in page and "••••••" in page
    assert client.get(reverse("cadres:list") + "?format=csv").status_code == 403
    other = Kader.objects.exclude(posyandu=own.posyandu).first()
    assert client.get(reverse("cadres:detail", args=[other.pk])).status_code == 404
    dinkes_page = client_for("dinkes").get(reverse("cadres:detail", args=[own.pk])).content.decode()
    assert own.nik in dinkes_page


def test_training_is_recorded_and_audited(demo, client_for):
    from binasehat.core.models import AuditEntry

    kader = Kader.objects.first()
    client = client_for("dinkes")
    response = client.post(reverse("cadres:detail", args=[kader.pk]),
                           {"name": "Pelatihan 25 keterampilan dasar", "held_on": "2025-06-10", "organizer": "Dinkes"})
    assert response.status_code == 302
    training = kader.trainings.get()
    assert training.name == "Pelatihan 25 keterampilan dasar"
    assert AuditEntry.objects.filter(model="cadres.training", object_pk=str(training.pk), action="create").exists()
    assert "Pelatihan 25 keterampilan dasar" in client.get(reverse("cadres:detail", args=[kader.pk])).content.decode()
    # Read-only roles see the list but cannot add.
    assert client_for("provinsi").post(reverse("cadres:detail", args=[kader.pk]), {"name": "x"}).status_code == 200
    assert kader.trainings.count() == 1


def test_skill_reference_ships_with_sources():
    """25 skills in the five Kemenkes groups (4 + 7 + 6 + 4 + 4); each states its source and whether its wording
    was found; the wording of Pengelolaan Posyandu 1–4 and Bayi dan Balita 1–4 is the one RULES-2.md §1.3
    quotes."""
    import json

    from binasehat.cadres.reference import REFERENCE

    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    groups = {g["code"]: g["skills"] for g in data["groups"]}
    assert [len(groups[g]) for g in ("pengelolaan", "balita", "ibu", "remaja", "dewasa")] == [4, 7, 6, 4, 4]
    assert all(s["source"] and s["status"] in ("found", "unconfirmed", "not_found") for g in groups.values()
               for s in g)
    assert groups["balita"][0]["name"] == "Menjelaskan penggunaan buku KIA bagian balita"
    assert groups["pengelolaan"][3]["name"] == "Melakukan komunikasi efektif"
    assert {s["code"] for g in groups.values() for s in g if s["status"] == "not_found"} == \
        {"B5", "B6", "B7", "R1", "R2", "R3", "R4", "D1", "D2", "D3", "D4"}


def test_items_not_found_are_not_required():
    """Hand case: Bayi dan Balita has B1–B4 found and B5–B7 not found. A kader who passed B1–B4 completed the
    group; one who passed B1–B3 did not. Usia Sekolah dan Remaja has no item found: one recorded pass (R1) completes
    it, none does not."""
    groups = {"balita": ["B1", "B2", "B3", "B4", "B5", "B6", "B7"], "remaja": ["R1", "R2", "R3", "R4"]}
    not_found = {"B5", "B6", "B7", "R1", "R2", "R3", "R4"}
    assert rules.completed_groups(["B1", "B2", "B3", "B4"], groups, not_found) == {"balita"}
    assert rules.completed_groups(["B1", "B2", "B3", "B5", "B6", "B7"], groups, not_found) == set()
    assert rules.completed_groups(["B1", "B2", "B3", "B4", "R1"], groups, not_found) == {"balita", "remaja"}


def test_level_rule_is_stated_on_the_kader_page(demo, client_for):
    kader = Kader.objects.first()
    page = client_for("dinkes").get(reverse("cadres:detail", args=[kader.pk])).content.decode()
    assert "tidak disyaratkan" in page and 'id="level-rule"' in page


def test_import_of_passed_skills(demo, tmp_path, import_data):
    """One row per skill passed (NIK + skill code is the key): a re-import changes nothing; an unknown code or a
    NIK that is not registered is rejected with the reason."""
    kader = Kader.objects.exclude(passed_skills__skill_id="P1").first()
    path = tmp_path / "skills.csv"
    path.write_text("nik,skill_code,passed_on\n"
                    f"{kader.nik},P1,2025-03-10\n"
                    f"{kader.nik},Z9,2025-03-10\n"
                    "1903014101990009,P2,2025-03-10\n", encoding="utf-8")
    code, out, err = import_data("kader-skills", str(path), "--partial")
    assert out.strip().splitlines()[-1] == "created=1 updated=0 unchanged=0 rejected=2"
    assert "tidak dikenal" in out and "tidak terdaftar" in out
    assert KaderSkill.objects.get(kader=kader, skill_id="P1").passed_on.isoformat() == "2025-03-10"
    code, out, err = import_data("kader-skills", str(path), "--partial")
    assert out.strip().splitlines()[-1] == "created=0 updated=0 unchanged=1 rejected=2"
