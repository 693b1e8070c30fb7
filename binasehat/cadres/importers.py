"""`import_data kader`: nik,name,sex,posyandu_code,sk_number,sk_date,active (natural key: NIK)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.audit import audit_bulk
from binasehat.core.bulk import insert_dicts
from binasehat.core.events import records_changed
from binasehat.core.importing import (
    Importer, RowError, create, diff, parse_bool, parse_date, parse_sex, register, unchanged, update,
)
from binasehat.core.tabular import Row
from binasehat.facilities.models import Posyandu

from . import rules
from .models import Kader

FIELDS = ("name", "sex", "birth_date", "phone", "posyandu_id", "sk_number", "sk_date", "active")


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@register
class KaderImporter(Importer):
    kind = "kader"
    label = gettext_lazy("Kader posyandu")
    aliases = {
        "nik": ("NIK",), "name": ("Nama Kader", "Nama"), "sex": ("Jenis Kelamin", "JK", "L/P"),
        "posyandu_code": ("Kode Posyandu",), "sk_number": ("Nomor SK", "No SK"), "sk_date": ("Tanggal SK", "Tgl SK"),
        "active": ("Aktif", "Status Aktif"), "birth_date": ("Tanggal Lahir", "Tgl Lahir"),
        "phone": ("Nomor HP", "No HP", "Telepon", "Nomor Telepon"),
    }
    description = gettext_lazy("Satu baris per kader; NIK menjadi kunci. sex L/P, active ya/tidak; sk_number kosong berarti belum ber-SK.")
    required = ("nik", "name", "sex", "posyandu_code", "sk_number", "sk_date", "active")
    optional = ("birth_date", "phone")
    permission = "facilities.change"
    versioned_model = Kader
    example = [{"nik": "1903014101850003", "name": "Siti Aminah", "sex": "P", "posyandu_code": "190301100101",
                "sk_number": "141/05/SK/2024", "sk_date": "2024-01-15", "active": "ya", "birth_date": "1985-01-01",
                "phone": "081234567890"}]

    def begin(self):
        self.posyandu = {
            code: (pk, desa) for code, pk, desa in Posyandu.objects.filter(self.scope.posyandu_q())
            .values_list("code", "id", "desa_id")
        }
        self.existing = {}
        self.elsewhere = set()
        for row in Kader.objects.values("id", "nik", "version", "posyandu__desa_id", "posyandu_id", *FIELDS[:4],
                                        *FIELDS[5:]):
            inside = self.scope.covers(row["posyandu__desa_id"]) and (
                self.scope.posyandu_ids is None or row["posyandu_id"] in self.scope.posyandu_ids)
            (self.existing.__setitem__(row["nik"], row) if inside else self.elsewhere.add(row["nik"]))

    def display_value(self, field, value):
        if field == "posyandu_id" and value is not None:
            return next((code for code, (pk, _desa) in self.posyandu.items() if pk == value), value)
        return value

    def check_row(self, row: Row):
        nik = row.get("nik").replace(" ", "")
        problem = rules.nik_problem(nik)
        if problem:
            raise RowError(problem)
        if nik in self.elsewhere:
            # Never say where (or that) it exists: only that it cannot be used here.
            raise RowError(_("NIK ini tidak dapat dipakai di sini. Bila NIK sudah benar, hubungi Dinas Kesehatan."))
        name = " ".join(row.get("name").split())
        if not name:
            raise RowError(_("Nama kosong."))
        sex = parse_sex(row.get("sex"), "sex")
        posyandu = self.posyandu.get(row.get("posyandu_code"))
        if posyandu is None:
            raise RowError(_("posyandu_code %(c)r tidak dikenal atau di luar wilayah Anda.") % {"c": row.get("posyandu_code")})
        sk_number, sk_date = row.get("sk_number")[:100], parse_date(row.get("sk_date"), "sk_date")
        if sk_date and not sk_number:
            raise RowError(_("sk_date diisi tetapi sk_number kosong."))
        data = {
            "name": name[:150], "sex": sex, "birth_date": parse_date(row.get("birth_date"), "birth_date"),
            "phone": row.get("phone")[:30], "posyandu_id": posyandu[0], "sk_number": sk_number, "sk_date": sk_date,
            "active": parse_bool(row.get("active"), "active", default=True),
        }
        self.check_limits(Kader, {**data, "nik": nik}, row, {"posyandu_id": "posyandu_code"})
        old = self.existing.get(nik)
        self.area = getattr(self, "area", {})
        self.area[nik] = posyandu[1]
        if old is None:
            return create(nik, {**data, "nik": nik})
        changes = diff({k: _plain(old[k]) for k in FIELDS}, {k: _plain(data[k]) for k in FIELDS})
        if not changes:
            return unchanged(nik, state=old)
        return update(nik, {**data, "nik": nik, "id": old["id"]}, changes, state=old)

    def write(self, creates, updates):
        insert_dicts(Kader, (o.data for o in creates))
        changed = [Kader(**o.data) for o in updates]
        Kader.objects.bulk_update(changed, list(FIELDS), batch_size=2000)
        Kader.objects.filter(pk__in=[k.pk for k in changed]).update(version=F("version") + 1)
        ids = dict(Kader.objects.filter(nik__in=[o.key for o in creates]).values_list("nik", "id")) if len(creates) < 500 \
            else dict(Kader.objects.values_list("nik", "id"))
        audit_bulk(
            [
                *({"action": "create", "obj": Kader(id=ids[o.key], name=o.data["name"]), "before": None,
                   "after": {k: _plain(v) for k, v in o.data.items() if k != "nik"}, "area_code": self.area[o.key]}
                  for o in creates),
                *({"action": "update", "obj": Kader(id=o.data["id"], name=o.data["name"]),
                   "before": {k: v[0] for k, v in o.changes.items()}, "after": {k: v[1] for k, v in o.changes.items()},
                   "area_code": self.area[o.key]} for o in updates),
            ],
            **self.audit_kwargs(),
        )
        touched = sorted({o.data["posyandu_id"] for o in [*creates, *updates]}
                         | {self.existing[o.key]["posyandu_id"] for o in updates})
        transaction.on_commit(lambda: records_changed.send(sender=Kader, posyandu_ids=touched), robust=True)


@register
class KaderSkillImporter(Importer):
    """`import_data kader-skills`: nik,skill_code,passed_on — one row per skill a kader passed (natural key: NIK +
    skill code), as on the kader's certificate (Plataran Sehat)."""

    kind = "kader-skills"
    label = gettext_lazy("Keterampilan dasar yang lulus (kader)")
    aliases = {
        "nik": ("NIK",), "skill_code": ("Kode Keterampilan",), "passed_on": ("Tanggal Lulus", "Tgl Lulus"),
    }
    description = gettext_lazy("Satu baris per keterampilan yang lulus: NIK kader, kode keterampilan "
                               "(P1–P4, B1–B7, H1–H6, R1–R4, D1–D4), tanggal lulus.")
    required = ("nik", "skill_code")
    optional = ("passed_on",)
    permission = "facilities.change"
    example = [{"nik": "1903014101850003", "skill_code": "P1", "passed_on": "2025-03-10"}]

    def begin(self):
        from .models import KaderSkill, Skill

        self.skills = set(Skill.objects.values_list("code", flat=True))
        self.kader = {}
        for pk, nik, desa, posyandu_id in Kader.objects.values_list("id", "nik", "posyandu__desa_id", "posyandu_id"):
            if self.scope.covers(desa) and (self.scope.posyandu_ids is None or posyandu_id in self.scope.posyandu_ids):
                self.kader[nik] = (pk, desa)
        self.existing = {(k, s): (pk, _plain(d)) for pk, k, s, d in
                         KaderSkill.objects.values_list("id", "kader_id", "skill_id", "passed_on")}
        self.area = {}

    def check_row(self, row: Row):
        nik = row.get("nik").replace(" ", "")
        kader = self.kader.get(nik)
        if kader is None:
            raise RowError(_("Kader dengan NIK ini tidak terdaftar di wilayah Anda."))
        code = row.get("skill_code").strip().upper()
        if code not in self.skills:
            raise RowError(_("skill_code %(c)r tidak dikenal.") % {"c": row.get("skill_code")})
        passed_on = parse_date(row.get("passed_on"), "passed_on")
        key = f"{nik}/{code}"
        self.area[key] = kader[1]
        old = self.existing.get((kader[0], code))
        data = {"kader_id": kader[0], "skill_id": code, "passed_on": passed_on}
        if old is None:
            return create(key, data)
        if old[1] == _plain(passed_on):
            return unchanged(key)
        return update(key, {**data, "id": old[0]}, {"passed_on": [old[1], _plain(passed_on)]})

    def write(self, creates, updates):
        from .models import KaderSkill

        insert_dicts(KaderSkill, (o.data for o in creates))
        KaderSkill.objects.bulk_update([KaderSkill(**o.data) for o in updates], ["passed_on"], batch_size=2000)
        audit_bulk(
            [*({"action": "create", "obj": Kader(id=o.data["kader_id"], name=o.key), "before": None,
                "after": {"skill": o.data["skill_id"], "passed_on": _plain(o.data["passed_on"])},
                "area_code": self.area[o.key]} for o in creates),
             *({"action": "update", "obj": Kader(id=o.data["kader_id"], name=o.key),
                "before": {"skill": o.data["skill_id"], "passed_on": o.changes["passed_on"][0]},
                "after": {"skill": o.data["skill_id"], "passed_on": o.changes["passed_on"][1]},
                "area_code": self.area[o.key]} for o in updates)],
            **self.audit_kwargs(),
        )
