"""`import_data children` and `import_data measurements` (z-scores computed on import, for the whole file at once)."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.cadres.rules import nik_problem
from binasehat.core.audit import audit_bulk
from binasehat.core.bulk import insert_dicts
from binasehat.core.events import data_changed
from binasehat.core.importing import (
    Importer, RowError, create, diff, parse_bool, parse_date, parse_decimal, parse_sex, register, unchanged, update,
)
from binasehat.core.tabular import Row
from binasehat.facilities.models import Posyandu
from binasehat.regions.models import Region

from . import plausibility
from .models import Child, Measurement
from .services import computed_fields

PLACES = frozenset(Measurement.Place.values)


def _key(name: str, birth: dt.date, mother: str) -> str:
    return f"{' '.join(name.lower().split())}|{birth.isoformat()}|{' '.join(mother.lower().split())}"


def _plain(v):
    if isinstance(v, (dt.date, Decimal)):
        return str(v)
    return v


@register
class ChildImporter(Importer):
    kind = "children"
    label = gettext_lazy("Anak (balita)")
    aliases = {
        "name": ("Nama Anak", "Nama", "Nama Balita"), "sex": ("Jenis Kelamin", "JK", "L/P"),
        "birth_date": ("Tanggal Lahir", "Tgl Lahir"),
        "desa_code": ("Kode Desa", "Kode Kelurahan", "Kode Desa/Kelurahan"), "nik": ("NIK Anak",),
        "mother_name": ("Nama Ibu", "Nama Ibu Kandung"), "posyandu_code": ("Kode Posyandu",),
    }
    description = gettext_lazy("Satu baris per anak. sex L/P (atau 1/2); NIK boleh kosong. Anak yang sama (NIK sama, "
                               "atau nama + tanggal lahir + nama ibu sama) tidak dibuat dua kali.")
    required = ("name", "sex", "birth_date", "desa_code")
    optional = ("nik", "mother_name", "posyandu_code")
    permission = "imports.run"
    versioned_model = Child
    example = [{"nik": "1903015505230001", "name": "Aisyah Putri", "sex": "P", "birth_date": "2023-05-15",
                "mother_name": "Siti Aminah", "desa_code": "19.03.01.1001", "posyandu_code": "190301100101"}]
    fields = ("nik", "name", "sex", "birth_date", "mother_name", "desa_id", "posyandu_id")

    def begin(self):
        scope = self.scope
        self.desa = set(Region.objects.filter(level=4).filter(scope.region_q("code")).values_list("code", flat=True))
        self.posyandu = {c: (pk, d) for c, pk, d in Posyandu.objects.filter(scope.posyandu_q())
                         .values_list("code", "id", "desa_id")}
        self.by_nik, self.by_key = {}, {}
        for c in Child.objects.filter(scope.region_q("desa__code")).values("id", "version", *self.fields):
            if c["nik"]:
                self.by_nik[c["nik"]] = c
            self.by_key[_key(c["name"], c["birth_date"], c["mother_name"])] = c
        self.today = timezone.localdate()

    def display_value(self, field, value):
        if field == "posyandu_id" and value is not None:
            return next((code for code, (pk, _desa) in self.posyandu.items() if pk == value), value)
        return value

    def check_row(self, row: Row):
        name = " ".join(row.get("name").split())
        if not name:
            raise RowError(_("Nama anak kosong."))
        sex = parse_sex(row.get("sex"), "sex")
        birth = parse_date(row.get("birth_date"), "birth_date")
        if birth is None:
            raise RowError(_("Tanggal lahir wajib diisi."))
        if birth > self.today or birth < self.today.replace(year=self.today.year - 19):
            raise RowError(_("Tanggal lahir %(d)s tidak masuk akal untuk anak.") % {"d": birth})
        nik = row.get("nik").replace(" ", "")
        if nik and (problem := nik_problem(nik)):
            raise RowError(problem)
        desa = row.get("desa_code")
        if desa not in self.desa:
            raise RowError(_("desa_code %(c)r tidak dikenal atau di luar wilayah Anda.") % {"c": desa})
        posyandu_id = None
        if code := row.get("posyandu_code"):
            if code not in self.posyandu:
                raise RowError(_("posyandu_code %(c)r tidak dikenal atau di luar wilayah Anda.") % {"c": code})
            posyandu_id, posyandu_desa = self.posyandu[code]
        mother = " ".join(row.get("mother_name").split())
        data = {"nik": nik, "name": name[:150], "sex": sex, "birth_date": birth, "mother_name": mother[:150],
                "desa_id": desa, "posyandu_id": posyandu_id}
        self.check_limits(Child, data, row, {"desa_id": "desa_code", "posyandu_id": "posyandu_code"})
        key = _key(name, birth, mother)
        old = self.by_nik.get(nik) if nik else None
        same_person = self.by_key.get(key)
        if old is None and same_person is not None:
            if nik and same_person["nik"] and same_person["nik"] != nik:
                raise RowError(_("Kemungkinan anak ganda: nama, tanggal lahir dan nama ibu sama dengan anak ber-NIK "
                                 "%(nik)s.") % {"nik": same_person["nik"]})
            old = same_person
        natural = nik or key
        if old is None:
            return create(natural, data)
        if not nik:
            data["nik"] = old["nik"]
        changes = diff({k: _plain(old[k]) for k in self.fields}, {k: _plain(data[k]) for k in self.fields})
        if not changes:
            return unchanged(natural, state=old)
        return update(natural, {**data, "id": old["id"]}, changes, state=old)

    def write(self, creates, updates):
        insert_dicts(Child, (o.data for o in creates))
        changed = [Child(**o.data) for o in updates]
        Child.objects.bulk_update(changed, list(self.fields), batch_size=2000)
        Child.objects.filter(pk__in=[c.pk for c in changed]).update(version=F("version") + 1)
        new_ids = {}
        if creates:
            wanted = {(o.data["name"], o.data["birth_date"], o.data["mother_name"]) for o in creates}
            desa = {o.data["desa_id"] for o in creates}
            for c in Child.objects.filter(desa_id__in=desa).values("id", "name", "birth_date", "mother_name"):
                k = (c["name"], c["birth_date"], c["mother_name"])
                if k in wanted:
                    new_ids[k] = c["id"]
        audit_bulk(
            [
                *({"action": "create",
                   "obj": Child(id=new_ids.get((o.data["name"], o.data["birth_date"], o.data["mother_name"])),
                                name=o.data["name"]),
                   "before": None, "after": {k: _plain(v) for k, v in o.data.items() if k != "nik"},
                   "area_code": o.data["desa_id"]} for o in creates),
                *({"action": "update", "obj": Child(id=o.data["id"], name=o.data["name"]),
                   "before": {k: v[0] for k, v in o.changes.items() if k != "nik"},
                   "after": {k: v[1] for k, v in o.changes.items() if k != "nik"}, "area_code": o.data["desa_id"]}
                  for o in updates),
            ],
            **self.audit_kwargs(),
        )


@register
class MeasurementImporter(Importer):
    kind = "measurements"
    label = gettext_lazy("Pengukuran anak (penimbangan)")
    aliases = {
       
        "visit_date": ("Tanggal Ukur", "Tgl Ukur", "Tanggal Penimbangan", "Tanggal Timbang", "Tgl Timbang", "Tanggal Kunjungan", "Tanggal Pengukuran"),
        "weight_kg": ("Berat Badan (kg)", "Berat Badan", "BB", "BB (kg)", "Berat"),
        "lenhei_cm": ("Panjang/Tinggi Badan (cm)", "Panjang/Tinggi Badan", "PB/TB", "TB/PB", "PB/TB (cm)", "Tinggi Badan", "Panjang Badan", "TB", "PB"),
        "child_nik": ("NIK Anak", "NIK"), "name": ("Nama Anak", "Nama", "Nama Balita"),
        "birth_date": ("Tanggal Lahir", "Tgl Lahir"), "mother_name": ("Nama Ibu", "Nama Ibu Kandung"),
        "measure": ("Cara Ukur", "Posisi Ukur"), "oedema": ("Edema",),
        "headc_cm": ("Lingkar Kepala (cm)", "Lingkar Kepala", "LK"),
        "muac_cm": ("LiLA (cm)", "LiLA", "Lingkar Lengan Atas"), "place": ("Tempat Ukur", "Tempat"),
        "posyandu_code": ("Kode Posyandu",),
    }
    description = gettext_lazy(
        "Satu baris per kunjungan anak. Anak dikenali dari child_nik, atau dari name + birth_date + mother_name "
        "(impor anak terlebih dulu). measure l (berbaring) / h (berdiri) / kosong; oedema ya/tidak. Z-score WHO "
        "dihitung saat impor. Berat atau panjang yang mustahil (mis. 0) tidak disimpan dan dilaporkan; nilai lain "
        "di baris itu tetap dihitung. Panjang yang turun, berat yang melonjak dan umur di atas 59 bulan diberi "
        "peringatan.")
    required = ("visit_date", "weight_kg", "lenhei_cm")
    optional = ("child_nik", "name", "birth_date", "mother_name", "measure", "oedema", "headc_cm", "muac_cm",
                "place", "posyandu_code")
    permission = "imports.run"
    example = [{"child_nik": "1903015505230001", "name": "Aisyah Putri", "birth_date": "2023-05-15",
                "mother_name": "Siti Aminah", "visit_date": "2025-03-10", "weight_kg": "10.4", "lenhei_cm": "82.5",
                "measure": "h", "oedema": "tidak", "headc_cm": "46.0", "muac_cm": "14.5", "place": "posyandu",
                "posyandu_code": "190301100101"}]
    fields = ("weight_kg", "lenhei_cm", "measure", "oedema", "headc_cm", "muac_cm", "place", "posyandu_id")

    def begin(self):
        scope = self.scope
        children = Child.objects.filter(scope.region_q("desa__code"))
        if scope.posyandu_ids is not None:
            children = children.filter(posyandu_id__in=scope.posyandu_ids)
        self.by_nik, self.by_key, self.child = {}, {}, {}
        for c in children.values("id", "nik", "name", "sex", "birth_date", "mother_name", "desa_id"):
            self.child[c["id"]] = c
            if c["nik"]:
                self.by_nik[c["nik"]] = c["id"]
            self.by_key[_key(c["name"], c["birth_date"], c["mother_name"])] = c["id"]
        self.posyandu = dict(Posyandu.objects.filter(scope.posyandu_q()).values_list("code", "id"))
        self.posyandu_code = {pk: code for code, pk in self.posyandu.items()}
        self.existing = {(m["child_id"], m["measured_on"]): m for m in
                         Measurement.objects.filter(child_id__in=list(self.child)).values("id", "child_id",
                                                                                          "measured_on", *self.fields)}
        #: Each child's visits (date, length as recumbent length or None, weight or None), stored and imported so
        #: far, sorted by date: the neighbours a row is checked against.
        self.history: dict[int, list[tuple]] = defaultdict(list)
        for (child_id, day), m in self.existing.items():
            self._remember(child_id, day, m["lenhei_cm"], m["measure"], m["weight_kg"])
        self.today = timezone.localdate()

    def display_value(self, field, value):
        if field == "posyandu_id" and value is not None:
            return self.posyandu_code.get(value, value)
        return value

    def _remember(self, child_id, day, lenhei, measure, weight) -> tuple:
        age = (day - self.child[child_id]["birth_date"]).days
        visit = (day, plausibility.as_length(float(lenhei), measure or "", age) if lenhei is not None else None,
                 float(weight) if weight is not None else None)
        visits = self.history[child_id]
        at = bisect.bisect_left(visits, (day,))
        if at < len(visits) and visits[at][0] == day:
            visits[at] = visit
        else:
            visits.insert(at, visit)
        return visit

    def _plausibility(self, child, visit: tuple, place: str) -> list[str]:
        """Warnings for one visit against the child's visits just before and just after it."""
        warnings = []
        day, length, weight = visit
        visits = self.history[child["id"]]
        at = bisect.bisect_left(visits, (day,))
        before = visits[at - 1] if at > 0 else None
        after = visits[at + 1] if at + 1 < len(visits) else None
        for earlier, later in ((before, visit), (visit, after)):
            if earlier is None or later is None:
                continue
            if earlier[1] is not None and later[1] is not None:
                drop = plausibility.length_drop(earlier[1], later[1])
                if drop is not None:
                    warnings.append(_(
                        "Panjang/tinggi badan turun %(drop)s cm dari %(d1)s ke %(d2)s (dihitung sebagai panjang "
                        "berbaring: %(l1)s → %(l2)s cm). Anak tidak memendek: periksa catatan pengukuran."
                    ) % {"drop": _n(drop), "d1": _day(earlier[0]), "d2": _day(later[0]), "l1": _n(earlier[1]),
                         "l2": _n(later[1])})
            if earlier[2] is not None and later[2] is not None:
                jump = plausibility.weight_jump(earlier[2], later[2], (later[0] - earlier[0]).days)
                if jump is not None:
                    message = (_("Berat badan naik dari %(w1)s kg (%(d1)s) ke %(w2)s kg (%(d2)s), lebih dari 2 kg "
                                 "per bulan: periksa apakah salah ketik.") if jump == "gain" else
                               _("Berat badan turun dari %(w1)s kg (%(d1)s) ke %(w2)s kg (%(d2)s), lebih dari 10%%: "
                                 "periksa apakah salah ketik, atau apakah anak perlu dirujuk."))
                    warnings.append(message % {"w1": _n(earlier[2], 2), "w2": _n(later[2], 2),
                                               "d1": _day(earlier[0]), "d2": _day(later[0])})
        if place == "posyandu" and plausibility.older_than_balita(child["birth_date"], day):
            warnings.append(_(
                "Anak berumur %(m)s bulan pada kunjungan posyandu ini (balita: 0–59 bulan): periksa tanggal lahir "
                "%(birth)s."
            ) % {"m": plausibility.completed_months(child["birth_date"], day), "birth": _day(child["birth_date"])})
        return warnings

    def check_row(self, row: Row):
        nik = row.get("child_nik").replace(" ", "")
        child_id = self.by_nik.get(nik) if nik else None
        if child_id is None and row.get("name") and row.get("birth_date"):
            birth = parse_date(row.get("birth_date"), "birth_date")
            child_id = self.by_key.get(_key(row.get("name"), birth, row.get("mother_name")))
        if child_id is None:
            raise RowError(_("Anak tidak ditemukan di wilayah Anda (periksa child_nik, atau nama + tanggal lahir + "
                             "nama ibu; impor data anak terlebih dulu)."))
        child = self.child[child_id]
        visit = parse_date(row.get("visit_date"), "visit_date")
        if visit is None:
            raise RowError(_("visit_date wajib diisi."))
        if visit > self.today:
            raise RowError(_("Tanggal ukur %(d)s belum terjadi.") % {"d": visit})
        if visit < child["birth_date"]:
            raise RowError(_("Tanggal ukur sebelum tanggal lahir anak."))
        # One impossible value (a weight of 0) loses that value only: the rest is stored and computed, as WHO
        # Anthro computes length/height-for-age without a weight.
        warnings = []
        weight = _possible(parse_decimal(row.get("weight_kg"), "weight_kg"), row.get("weight_kg"), WEIGHT_KG,
                           _("Berat badan"), "kg", warnings)
        lenhei = _possible(parse_decimal(row.get("lenhei_cm"), "lenhei_cm"), row.get("lenhei_cm"), LENHEI_CM,
                           _("Panjang/tinggi badan"), "cm", warnings)
        if weight is None and lenhei is None:
            raise RowError(" ".join([*warnings, _("Berat dan panjang/tinggi badan kosong semua.")]))
        measure = MEASURE.get(" ".join(row.get("measure").lower().split()))
        if measure is None:
            raise RowError(_("Kolom measure harus l (berbaring), h (berdiri) atau kosong."))
        place = "_".join(row.get("place").lower().split()) or "posyandu"
        if place not in PLACES:
            raise RowError(_("Kolom place harus posyandu, kunjungan_rumah atau fasyankes."))
        posyandu_id = None
        if code := row.get("posyandu_code"):
            if code not in self.posyandu:
                raise RowError(_("posyandu_code %(c)r tidak dikenal atau di luar wilayah Anda.") % {"c": code})
            posyandu_id = self.posyandu[code]
        data = {
            "weight_kg": weight.quantize(Decimal("0.01")) if weight is not None else None,
            "lenhei_cm": lenhei.quantize(Decimal("0.1")) if lenhei is not None else None, "measure": measure,
            "oedema": parse_bool(row.get("oedema"), "oedema", default=False),
            "headc_cm": _q(parse_decimal(row.get("headc_cm"), "headc_cm", low=25, high=65)),
            "muac_cm": _q(parse_decimal(row.get("muac_cm"), "muac_cm", low=5, high=45)),
            "place": place, "posyandu_id": posyandu_id or child.get("posyandu_id"),
        }
        self.check_limits(Measurement, data, row, {"posyandu_id": "posyandu_code"})
        key = f"{child_id}/{visit.isoformat()}"
        old = self.existing.get((child_id, visit))
        base = {**data, "child_id": child_id, "measured_on": visit, "age_days": (visit - child["birth_date"]).days,
                "_sex": child["sex"], "_desa": child["desa_id"]}
        seen = self._remember(child_id, visit, data["lenhei_cm"], measure, data["weight_kg"])
        warnings += self._plausibility(child, seen, place)
        if old is None:
            outcome = create(key, base)
        else:
            changes = diff({k: _plain(old[k]) for k in self.fields}, {k: _plain(data[k]) for k in self.fields})
            outcome = (update(key, {**base, "id": old["id"]}, changes, state=old) if changes
                       else unchanged(key, state=old))
        outcome.warnings = warnings
        return outcome

    def write(self, creates, updates):
        rows = [o.data for o in [*creates, *updates]]
        computed = computed_fields([{**r, "sex": r["_sex"]} for r in rows])
        for r, c in zip(rows, computed):
            r.update(c)
        clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
        new, changed = clean[: len(creates)], clean[len(creates):]
        insert_dicts(Measurement, new)
        if changed:
            fields = [f.attname for f in Measurement._meta.concrete_fields if f.attname not in {"id", "child_id",
                                                                                                "measured_on"}]
            Measurement.objects.bulk_update([Measurement(**r) for r in changed], fields, batch_size=1000)
        dates = sorted({r["measured_on"] for r in new})
        ids = {(c, d): i for i, c, d in Measurement.objects.filter(measured_on__in=dates)
               .values_list("id", "child_id", "measured_on")} if new else {}
        audit_bulk(
            [
                *({"action": "create", "obj": Measurement(id=ids.get((o.data["child_id"], o.data["measured_on"])),
                                                          child_id=o.data["child_id"],
                                                          measured_on=o.data["measured_on"]),
                   "before": None, "after": {k: _plain(o.data[k]) for k in (*self.fields, "zwei", "zlen", "zwfl")},
                   "area_code": o.data["_desa"]} for o in creates),
                *({"action": "update", "obj": Measurement(id=o.data["id"], child_id=o.data["child_id"],
                                                          measured_on=o.data["measured_on"]),
                   "before": {k: v[0] for k, v in o.changes.items()}, "after": {k: v[1] for k, v in o.changes.items()},
                   "area_code": o.data["_desa"]} for o in updates),
            ],
            **self.audit_kwargs(),
        )
        data_changed.send(sender=Measurement, source="growth",
                          cells={(o.data["_desa"], o.data["measured_on"]) for o in [*creates, *updates]})


def _q(value):
    return value.quantize(Decimal("0.1")) if value is not None else None


#: What a measured value can be at all (outside: impossible, not stored): weight 0.5–150 kg, length 38–210 cm.
WEIGHT_KG = (Decimal("0.5"), Decimal("150"))
LENHEI_CM = (Decimal("38"), Decimal("210"))
#: How a form or a register writes the measuring position.
MEASURE = {"": "", "l": "l", "h": "h", "pb": "l", "tb": "h", "berbaring": "l", "telentang": "l", "berdiri": "h"}


def _possible(value: Decimal | None, written: str, limits: tuple[Decimal, Decimal], label: str, unit: str,
              warnings: list[str]) -> Decimal | None:
    """``value`` when it lies within ``limits``; else None, with a message saying that it was left out."""
    if value is None or limits[0] <= value <= limits[1]:
        return value
    warnings.append(_("%(label)s %(value)s %(unit)s tidak mungkin (%(low)s–%(high)s %(unit)s) dan tidak disimpan; "
                      "nilai lain di baris ini tetap dihitung.")
                    % {"label": label, "value": written, "unit": unit, "low": _n(limits[0], 1),
                       "high": _n(limits[1], 0)})
    return None


def _n(value, places: int = 1) -> str:
    """A number as the user's language writes it (81,5 in Indonesian)."""
    return number_format(value, decimal_pos=places)


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
