"""`import_data families` (one row per family, as on the Kartu Keluarga) and `import_data members` (one row per
member and visit, with the 12 PIS-PK answers as Y/T/N in columns i01…i12). Family values and IKS are recomputed
with ``families.rules`` for every visit a file touches."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.cadres.rules import nik_problem
from binasehat.core.audit import audit_bulk
from binasehat.core.bulk import insert_dicts
from binasehat.core.events import data_changed
from binasehat.core.importing import (
    Importer, RowError, create, defer, diff, parse_bool, parse_date, parse_sex, register, reject, unchanged, update,
)
from binasehat.core.tabular import Row
from binasehat.facilities.models import Puskesmas
from binasehat.regions.models import Region

from . import rules
from .models import Answer, Family, Member, Survey
from .services import surveys_recompute

_KK = re.compile(r"^\d{16}$")
RELATION = {
    "kepala": "kepala", "kepala keluarga": "kepala", "1": "kepala",
    "pasangan": "pasangan", "istri": "pasangan", "suami": "pasangan", "istri/suami": "pasangan", "2": "pasangan",
    "anak": "anak", "3": "anak", "menantu": "menantu", "4": "menantu", "cucu": "cucu", "5": "cucu",
    "orang_tua": "orang_tua", "orang tua": "orang_tua", "mertua": "orang_tua", "6": "orang_tua",
    "lain": "lain", "famili lain": "lain", "lainnya": "lain", "7": "lain",
}


def area_number(value: str, column: str) -> str:
    """RT/RW as three digits ("2" → "002"); empty stays empty."""
    v = (value or "").strip()
    if not v:
        return ""
    if not v.isdigit() or len(v) > 3 or int(v) == 0:
        raise RowError(_("Kolom %(col)s harus nomor 1–999, bukan \"%(val)s\".") % {"col": column, "val": value})
    return f"{int(v):03d}"


def _plain(v):
    return v.isoformat() if isinstance(v, dt.date) else v


def _check_kk(no_kk: str) -> str:
    no_kk = no_kk.replace(" ", "")
    if not _KK.match(no_kk):
        raise RowError(_("No. KK harus 16 angka, bukan \"%(v)s\".") % {"v": no_kk})
    return no_kk


@register
class FamilyImporter(Importer):
    kind = "families"
    label = gettext_lazy("Keluarga (PIS-PK)")
    aliases = {
        "no_kk": ("Nomor KK", "No KK", "Nomor Kartu Keluarga"),
        "head_name": ("Nama Kepala Keluarga", "Kepala Keluarga"),
        "desa_code": ("Kode Desa", "Kode Kelurahan", "Kode Desa/Kelurahan"), "address": ("Alamat",),
        "puskesmas_code": ("Kode Puskesmas",),
    }
    description = gettext_lazy(
        "Satu baris per keluarga (Kartu Keluarga). no_kk 16 angka; rt/rw nomor; puskesmas_code boleh kosong "
        "(diisi puskesmas yang wilayah kerjanya memuat desa itu). Keluarga dikenali dari No. KK.")
    required = ("no_kk", "head_name", "desa_code")
    optional = ("address", "rt", "rw", "puskesmas_code")
    example = [{"no_kk": "1903010101250001", "head_name": "Ahmad Sanusi", "desa_code": "19.03.01.2001",
                "address": "Jl. Mawar 3", "rt": "002", "rw": "001", "puskesmas_code": "P19030101"}]
    fields = ("no_kk", "head_name", "address", "rt", "rw", "desa_id", "puskesmas_id")
    versioned_model = Family

    def begin(self):
        scope = self.scope
        self.desa = set(Region.objects.filter(level=4).filter(scope.region_q("code")).values_list("code", flat=True))
        through = Puskesmas.wilayah_kerja.through.objects.values_list("puskesmas_id", "region_id")
        self.wilayah: dict[int, set[str]] = {}
        owners: dict[str, list[int]] = {}
        for pid, desa in through:
            self.wilayah.setdefault(pid, set()).add(desa)
            owners.setdefault(desa, []).append(pid)
        self.default_puskesmas = {d: p[0] for d, p in owners.items() if len(p) == 1}
        self.puskesmas = dict(Puskesmas.objects.values_list("code", "id"))
        self.existing = {f["no_kk"]: f for f in Family.objects.filter(scope.region_q("desa__code"))
                         .values("id", "version", *self.fields)}
        self.new: list[tuple[Row, object]] = []

    def check_row(self, row: Row):
        no_kk = _check_kk(row.get("no_kk"))
        head = " ".join(row.get("head_name").split())
        if not head:
            raise RowError(_("Nama kepala keluarga kosong."))
        desa = row.get("desa_code")
        if desa not in self.desa:
            raise RowError(_("desa_code %(c)r tidak dikenal atau di luar wilayah Anda.") % {"c": desa})
        code = row.get("puskesmas_code")
        if code:
            pid = self.puskesmas.get(code)
            if pid is None:
                raise RowError(_("puskesmas_code %(c)r tidak dikenal.") % {"c": code})
            if desa not in self.wilayah.get(pid, set()):
                raise RowError(_("Desa %(d)s tidak termasuk wilayah kerja puskesmas %(c)s.") % {"d": desa, "c": code})
        else:
            pid = self.default_puskesmas.get(desa)
        data = {"no_kk": no_kk, "head_name": head[:150], "address": " ".join(row.get("address").split())[:255],
                "rt": area_number(row.get("rt"), "rt"), "rw": area_number(row.get("rw"), "rw"), "desa_id": desa,
                "puskesmas_id": pid}
        self.check_limits(Family, data, row, {"desa_id": "desa_code", "puskesmas_id": "puskesmas_code"})
        old = self.existing.get(no_kk)
        if old is None:
            self.new.append((row, create(no_kk, data)))
            return defer(no_kk)
        changes = diff({k: old[k] for k in self.fields}, data)
        if not changes:
            return unchanged(no_kk, state=old)
        return update(no_kk, {**data, "id": old["id"]}, changes, state=old)

    def finish(self):
        """A No. KK not in the user's area may still exist elsewhere: never create it twice."""
        keys = [o.key for _r, o in self.new]
        taken = set()
        for start in range(0, len(keys), 5000):
            taken |= set(Family.objects.filter(no_kk__in=keys[start:start + 5000]).values_list("no_kk", flat=True))
        for row, outcome in self.new:
            if outcome.key in taken:
                # Never say where (or that) it exists: only that it cannot be used here.
                yield row, reject(_("No. KK %(kk)s tidak dapat dipakai di sini. Bila nomor sudah benar, hubungi "
                                    "Dinas Kesehatan.") % {"kk": outcome.key}, outcome.key)
            else:
                yield row, outcome

    def write(self, creates, updates):
        insert_dicts(Family, (o.data for o in creates))
        Family.objects.bulk_update([Family(**o.data) for o in updates], [f for f in self.fields if f != "no_kk"],
                                   batch_size=2000)
        updated = [o.data["id"] for o in updates]
        for start in range(0, len(updated), 5000):
            Family.objects.filter(pk__in=updated[start:start + 5000]).update(version=F("version") + 1)
        ids = {}
        keys = [o.key for o in creates]
        for start in range(0, len(keys), 5000):
            ids.update(Family.objects.filter(no_kk__in=keys[start:start + 5000]).values_list("no_kk", "id"))
        audit_bulk(
            [*({"action": "create", "obj": Family(id=ids.get(o.key), no_kk=o.key, head_name=o.data["head_name"]),
                "after": o.data, "area_code": o.data["desa_id"]} for o in creates),
             *({"action": "update", "obj": Family(id=o.data["id"], no_kk=o.key, head_name=o.data["head_name"]),
                "before": {k: v[0] for k, v in o.changes.items()}, "after": {k: v[1] for k, v in o.changes.items()},
                "area_code": o.data["desa_id"]} for o in updates)],
            **self.audit_kwargs(),
        )
        moved = {o.data["id"]: o.changes["desa_id"] for o in updates if "desa_id" in o.changes}
        if moved:  # the family's surveys now count in another desa
            cells = set()
            for family_id, day in Survey.objects.filter(family_id__in=list(moved)).values_list("family_id",
                                                                                               "visited_on"):
                cells.update((desa, day) for desa in moved[family_id])
            data_changed.send(sender=Family, source="families", cells=cells)


MEMBER_FIELDS = ("family_id", "nik", "name", "sex", "birth_date", "relation", "pregnant", "breastfeeding")


def _member_key(family_id, nik: str, name: str, birth: dt.date) -> str:
    return nik or f"{family_id}|{' '.join(name.lower().split())}|{birth.isoformat()}"


@register
class MemberImporter(Importer):
    kind = "members"
    label = gettext_lazy("Anggota keluarga dan jawaban PIS-PK")
    aliases = {
        "no_kk": ("Nomor KK", "No KK", "Nomor Kartu Keluarga"), "nik": ("NIK",),
        "name": ("Nama Anggota Keluarga", "Nama", "Nama Anggota"), "sex": ("Jenis Kelamin", "JK", "L/P"),
        "birth_date": ("Tanggal Lahir", "Tgl Lahir"),
        "relation": ("Hubungan Keluarga", "Hubungan", "Status dalam Keluarga"),
        "visit_date": ("Tanggal Kunjungan", "Tgl Kunjungan"), "surveyor": ("Petugas", "Nama Petugas", "Pendata"),
        "pregnant": ("Hamil", "Sedang Hamil"), "breastfeeding": ("Menyusui", "Sedang Menyusui"),
    }
    description = gettext_lazy(
        "Satu baris per anggota keluarga per kunjungan: no_kk (impor keluarga terlebih dulu), nik (boleh kosong "
        "untuk bayi), name, sex L/P, birth_date, relation (kepala, pasangan, anak, menantu, cucu, orang_tua, lain), "
        "visit_date, dan jawaban i01…i12 berisi Y (memenuhi), T (tidak memenuhi), N (tidak berlaku) atau kosong "
        "(belum ditanyakan). i11 (air bersih) dan i12 (jamban sehat) diisi pada satu baris anggota saja.")
    required = ("no_kk", "nik", "name", "sex", "birth_date", "relation", "visit_date", *rules.COLUMNS)
    optional = ("surveyor", "pregnant", "breastfeeding")
    example = [{"no_kk": "1903010101250001", "nik": "1903011203850002", "name": "Ahmad Sanusi", "sex": "L",
                "birth_date": "1985-03-12", "relation": "kepala", "visit_date": "2025-07-14", "surveyor": "Nur Hasanah",
                "pregnant": "", "breastfeeding": "", "i01": "Y", "i02": "N", "i03": "N", "i04": "N", "i05": "N",
                "i06": "N", "i07": "T", "i08": "N", "i09": "T", "i10": "Y", "i11": "Y", "i12": "Y"}]
    #: A row that changes a member (or its answers) re-checks the member's version at commit.
    versioned_model = Member

    def begin(self):
        families = Family.objects.filter(self.scope.region_q("desa__code"))
        if self.scope.posyandu_ids is not None:
            families = families.none()
        self.families = {kk: (pk, desa) for pk, kk, desa in families.values_list("id", "no_kk", "desa_id")}
        family_ids = [pk for pk, _d in self.families.values()]
        self.members: dict[str, dict] = {}
        for m in Member.objects.filter(family__in=families).values("id", "version", *MEMBER_FIELDS):
            self.members[_member_key(m["family_id"], m["nik"], m["name"], m["birth_date"])] = m
            if m["nik"]:
                self.members[m["nik"]] = m
        self.surveys = {(s["family_id"], s["visited_on"]): s for s in
                        Survey.objects.filter(family_id__in=family_ids).values("id", "family_id", "visited_on",
                                                                               "surveyor")}
        self.answers = {(a["survey_id"], a["member_id"]): a for a in
                        Answer.objects.filter(survey__family_id__in=family_ids).values("id", "survey_id", "member_id",
                                                                                      *rules.COLUMNS)}
        self.household: dict[tuple, dict[str, tuple[str, str]]] = {}
        self.surveyor: dict[tuple, str] = {}
        self.new_nik: list[tuple[Row, object]] = []
        self.today = timezone.localdate()

    def check_row(self, row: Row):
        no_kk = row.get("no_kk").replace(" ", "")
        if no_kk not in self.families:
            raise RowError(_("No. KK %(kk)s tidak ditemukan di wilayah Anda (impor data keluarga terlebih dulu).")
                           % {"kk": no_kk})
        family_id, desa = self.families[no_kk]
        name = " ".join(row.get("name").split())
        if not name:
            raise RowError(_("Nama anggota keluarga kosong."))
        nik = row.get("nik").replace(" ", "")
        if nik and (problem := nik_problem(nik)):
            raise RowError(problem)
        sex = parse_sex(row.get("sex"), "sex")
        birth = parse_date(row.get("birth_date"), "birth_date")
        if birth is None:
            raise RowError(_("Tanggal lahir wajib diisi."))
        relation = RELATION.get(row.get("relation").lower().strip())
        if relation is None:
            raise RowError(_("Kolom relation tidak dikenal: \"%(v)s\" (kepala, pasangan, anak, menantu, cucu, "
                             "orang_tua, lain).") % {"v": row.get("relation")})
        visit = parse_date(row.get("visit_date"), "visit_date")
        if visit is None:
            raise RowError(_("visit_date wajib diisi."))
        if visit > self.today:
            raise RowError(_("Tanggal kunjungan %(d)s belum terjadi.") % {"d": visit})
        if birth > visit:
            raise RowError(_("Anggota lahir sesudah tanggal kunjungan."))
        answers = {}
        for i, col in enumerate(rules.COLUMNS, start=1):
            v = row.get(col).strip().upper()
            if v not in ("Y", "T", "N", ""):
                raise RowError(_("Kolom %(col)s harus Y, T, N atau kosong, bukan \"%(v)s\".") % {"col": col, "v": row.get(col)})
            answers[col] = v
        problems = rules.applicability_problems({i: answers[c] for i, c in enumerate(rules.COLUMNS, start=1)},
                                                age_in_months=rules.age_months(birth, visit), sex=sex)
        if problems:
            raise RowError("; ".join(self._problem_text(p, rules.age_months(birth, visit), sex) for p in problems))
        visit_key = (family_id, visit)
        seen = self.household.setdefault(visit_key, {})
        for col in ("i11", "i12"):
            if answers[col]:
                first = seen.get(col)
                if first is not None and first[0] != answers[col]:
                    raise RowError(_("Jawaban rumah tangga %(col)s = %(v)s berbeda dengan baris %(row)s (%(w)s); "
                                     "isi %(col)s pada satu baris anggota saja.")
                                   % {"col": col, "v": answers[col], "row": first[1], "w": first[0]})
                seen.setdefault(col, (answers[col], row.where))
        surveyor = " ".join(row.get("surveyor").split())[:150]
        if surveyor:
            self.surveyor[visit_key] = surveyor
        member = {"family_id": family_id, "nik": nik, "name": name[:150], "sex": sex, "birth_date": birth,
                  "relation": relation, "pregnant": parse_bool(row.get("pregnant"), "pregnant"),
                  "breastfeeding": parse_bool(row.get("breastfeeding"), "breastfeeding")}
        key = _member_key(family_id, nik, name, birth)
        old = self.members.get(key) or (self.members.get(_member_key(family_id, "", name, birth)) if nik else None)
        if old is not None and nik and old["nik"] and old["nik"] != nik:
            old = None
        self.check_limits(Member, member, row, {"family_id": "no_kk"})
        data = {"member": member, "member_id": old["id"] if old else None, "visit": visit, "answers": answers,
                "desa": desa, "key": key, "no_kk": no_kk}
        natural = f"{key}@{visit.isoformat()}"
        if old is None:
            if nik:  # may exist in a family outside the user's area
                self.new_nik.append((row, create(natural, data)))
                return defer(natural)
            return create(natural, data)
        changes = diff({k: _plain(old[k]) for k in MEMBER_FIELDS}, {k: _plain(member[k]) for k in MEMBER_FIELDS})
        survey = self.surveys.get(visit_key)
        existing = self.answers.get((survey["id"], old["id"])) if survey else None
        state = {"id": old["id"], "version": old["version"], "member": old, "answers": existing,
                 "surveyor": survey["surveyor"] if survey else None}
        if existing is None:
            return create(natural, data) if not changes else update(natural, data, {**changes, "jawaban": [None, "baru"]},
                                                                    state=state)
        changes.update(diff({c: existing[c] for c in rules.COLUMNS}, answers))
        if survey and surveyor and survey["surveyor"] != surveyor:
            changes["surveyor"] = [survey["surveyor"], surveyor]
        data["answer_id"] = existing["id"]
        if not changes:
            return unchanged(natural, state=state)
        return update(natural, data, changes, state=state)

    @staticmethod
    def _problem_text(problem, months, sex) -> str:
        i, low, high, need_sex = problem
        name = rules.INDICATORS[i - 1][1]
        if need_sex and sex != need_sex:
            return _("i%(i)02d (%(name)s) dijawab untuk anggota laki-laki; indikator ini hanya untuk ibu yang "
                     "melahirkan, isi N.") % {"i": i, "name": name}
        if high is not None:
            return _("i%(i)02d (%(name)s) hanya berlaku untuk umur %(low)s–%(high)s bulan, anggota ini berumur "
                     "%(m)s bulan pada kunjungan; isi N.") % {"i": i, "name": name, "low": low, "high": high, "m": months}
        return _("i%(i)02d (%(name)s) hanya berlaku untuk umur %(low)s tahun ke atas, anggota ini berumur %(y)s "
                 "tahun pada kunjungan; isi N.") % {"i": i, "name": name, "low": low // 12, "y": months // 12}

    def finish(self):
        niks = [o.data["member"]["nik"] for _r, o in self.new_nik]
        taken = set()
        for start in range(0, len(niks), 5000):
            taken |= set(Member.objects.filter(nik__in=niks[start:start + 5000]).values_list("nik", flat=True))
        for row, outcome in self.new_nik:
            nik = outcome.data["member"]["nik"]
            if nik in taken:
                yield row, reject(_("NIK %(nik)s tidak dapat dipakai di sini. Bila NIK sudah benar, hubungi "
                                    "Dinas Kesehatan.") % {"nik": nik}, outcome.key)
            else:
                yield row, outcome

    def write(self, creates, updates):
        outcomes = [*creates, *updates]
        # 1. Members: new ones inserted, changed ones updated; every row then knows its member id.
        new_members = {}
        for o in outcomes:
            if o.data["member_id"] is None and o.data["key"] not in new_members:
                new_members[o.data["key"]] = o.data["member"]
        insert_dicts(Member, new_members.values())
        if new_members:
            family_ids = {m["family_id"] for m in new_members.values()}
            for m in Member.objects.filter(family_id__in=family_ids).values("id", "family_id", "nik", "name",
                                                                            "birth_date"):
                key = _member_key(m["family_id"], m["nik"], m["name"], m["birth_date"])
                if key in new_members:
                    new_members[key]["id"] = m["id"]
        changed_members = {o.data["member_id"]: o for o in updates if o.data["member_id"] is not None
                           and set(o.changes) & set(MEMBER_FIELDS)}
        Member.objects.bulk_update([Member(id=pk, **o.data["member"]) for pk, o in changed_members.items()],
                                   list(MEMBER_FIELDS), batch_size=2000)
        changed_ids = list(changed_members)
        for start in range(0, len(changed_ids), 5000):
            Member.objects.filter(pk__in=changed_ids[start:start + 5000]).update(version=F("version") + 1)
        for o in outcomes:
            if o.data["member_id"] is None:
                o.data["member_id"] = new_members[o.data["key"]]["id"]
        # 2. Surveys (one per family and visit date).
        visits = {(o.data["member"]["family_id"], o.data["visit"]) for o in outcomes}
        new_surveys = [{"family_id": f, "visited_on": d, "surveyor": self.surveyor.get((f, d), "")}
                       for f, d in sorted(visits) if (f, d) not in self.surveys]
        insert_dicts(Survey, new_surveys)
        survey_ids = {}
        family_ids = sorted({f for f, _d in visits})
        for start in range(0, len(family_ids), 2000):
            for s in Survey.objects.filter(family_id__in=family_ids[start:start + 2000]).values("id", "family_id",
                                                                                                "visited_on", "surveyor"):
                key = (s["family_id"], s["visited_on"])
                if key in visits:
                    survey_ids[key] = s["id"]
                    if self.surveyor.get(key) and s["surveyor"] != self.surveyor[key]:
                        Survey.objects.filter(pk=s["id"]).update(surveyor=self.surveyor[key])
        # 3. Answers.
        new_answers, changed_answers = [], []
        for o in outcomes:
            sid = survey_ids[(o.data["member"]["family_id"], o.data["visit"])]
            o.data["survey_id"] = sid
            values = {"survey_id": sid, "member_id": o.data["member_id"], **o.data["answers"]}
            if o.data.get("answer_id"):
                changed_answers.append(Answer(id=o.data["answer_id"], **values))
            else:
                new_answers.append(values)
        insert_dicts(Answer, new_answers)
        Answer.objects.bulk_update(changed_answers, list(rules.COLUMNS), batch_size=2000)
        surveys_recompute(survey_ids=survey_ids.values())

        def after(o):
            m = o.data["member"]
            return {"no_kk": o.data["no_kk"], "name": m["name"], "visit": o.data["visit"].isoformat(),
                    **o.data["answers"]}

        audit_bulk(
            [*({"action": "create", "obj": Member(id=o.data["member_id"], name=o.data["member"]["name"]),
                "after": after(o), "area_code": o.data["desa"]} for o in creates),
             *({"action": "update", "obj": Member(id=o.data["member_id"], name=o.data["member"]["name"]),
                "before": {k: _plain(v[0]) for k, v in o.changes.items() if k != "nik"},
                "after": {k: _plain(v[1]) for k, v in o.changes.items() if k != "nik"},
                "area_code": o.data["desa"]} for o in updates)],
            **self.audit_kwargs(),
        )
