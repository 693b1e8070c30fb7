"""`import_data children` and `import_data measurements` (z-scores computed on import, for the whole file at once)."""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections import defaultdict, namedtuple

import numpy as np
from decimal import Decimal

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.cadres.rules import nik_problem
from binasehat.core.audit import ImportAudit
from binasehat.core.bulk import insert_columns, insert_dicts
from binasehat.core.events import data_changed
from binasehat.core.importing import (
    Importer, RowError, create, diff, parse_bool, parse_date, parse_decimal, parse_sex, register, unchanged, update,
)
from binasehat.core.tabular import Row
from binasehat.facilities.models import Posyandu
from binasehat.regions.models import Region

from . import plausibility
from .models import Child, Measurement
from . import rules
from .services import FLAG_NAMES, Z_FIELDS, _num

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
        audited = [f for f in self.fields if f != "nik"]  # a NIK never goes into the trail
        audit = ImportAudit(actor=self.actor, source=self.source, import_job_id=self.job_id, model=Child,
                            files=getattr(self, "files", []), fields=audited)
        audit.created([new_ids.get((o.data["name"], o.data["birth_date"], o.data["mother_name"])) for o in creates],
                      {f: [_plain(o.data[f]) for o in creates] for f in audited})
        audit.updated((o.data["id"], {k: v for k, v in o.changes.items() if k != "nik"}) for o in updates)
        audit.finish()


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
    chunk_rows = 50_000

    def begin(self):
        self._import_audit = None
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
        #: Cell text → its parsed value, per column: a file repeats its dates and measured values (a few thousand
        #: distinct texts in 100,000 rows), so each is parsed once. Only values that parsed are kept.
        self._parsed: dict[str, dict] = {c: {} for c in ("visit_date", "weight_kg", "lenhei_cm", "headc_cm",
                                                          "muac_cm")}

    def _cached(self, column: str, text: str, parse):
        """``parse(text)`` for a cell of ``column``, each distinct text parsed once (errors are raised each time)."""
        seen = self._parsed[column]
        value = seen.get(text, _MISSING)
        if value is _MISSING:
            value = parse(text)
            if len(seen) >= _MAX_CACHED:
                seen.clear()
            seen[text] = value
        return value

    def display_value(self, field, value):
        if field == "posyandu_id" and value is not None:
            return self.posyandu_code.get(value, value)
        return value

    def _remember(self, child_id, day, lenhei, measure, weight) -> tuple:
        age = (day - self.child[child_id]["birth_date"]).days
        visit = (day, plausibility.as_length(float(lenhei), measure or "", age) if lenhei is not None else None,
                 float(weight) if weight is not None else None)
        visits = self.history[child_id]
        if not visits or visits[-1][0] < day:  # a file lists a child's visits in date order: the common case
            visits.append(visit)
            return visit
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
        at = len(visits) - 1 if visits[-1][0] == day else bisect.bisect_left(visits, (day,))
        before = visits[at - 1] if at > 0 else None
        after = visits[at + 1] if at + 1 < len(visits) else None
        for earlier, later in ((before, visit), (visit, after)):
            if earlier is None or later is None:
                continue
            if earlier[1] is not None and later[1] is not None and earlier[1] - later[1] > _NO_DROP_BELOW:
                drop = plausibility.length_drop(earlier[1], later[1])
                if drop is not None:
                    warnings.append(_(
                        "Panjang/tinggi badan turun %(drop)s cm dari %(d1)s ke %(d2)s (dihitung sebagai panjang "
                        "berbaring: %(l1)s → %(l2)s cm). Anak tidak memendek: periksa catatan pengukuran."
                    ) % {"drop": _n(drop), "d1": _day(earlier[0]), "d2": _day(later[0]), "l1": _n(earlier[1]),
                         "l2": _n(later[1])})
            if earlier[2] is not None and later[2] is not None and (
                    later[2] - earlier[2] > _NO_GAIN_BELOW
                    or earlier[2] - later[2] > plausibility.WEIGHT_LOSS_FRACTION * earlier[2] + 1e-9):
                jump = plausibility.weight_jump(earlier[2], later[2], (later[0] - earlier[0]).days)
                if jump is not None:
                    message = (_("Berat badan naik dari %(w1)s kg (%(d1)s) ke %(w2)s kg (%(d2)s), lebih dari 2 kg "
                                 "per bulan: periksa apakah salah ketik.") if jump == "gain" else
                               _("Berat badan turun dari %(w1)s kg (%(d1)s) ke %(w2)s kg (%(d2)s), lebih dari 10%%: "
                                 "periksa apakah salah ketik, atau apakah anak perlu dirujuk."))
                    warnings.append(message % {"w1": _n(earlier[2], 2), "w2": _n(later[2], 2),
                                               "d1": _day(earlier[0]), "d2": _day(later[0])})
        if (place == "posyandu" and (day - child["birth_date"]).days >= _NOT_OLDER_BELOW_DAYS
                and plausibility.older_than_balita(child["birth_date"], day)):
            warnings.append(_(
                "Anak berumur %(m)s bulan pada kunjungan posyandu ini (balita: 0–59 bulan): periksa tanggal lahir "
                "%(birth)s."
            ) % {"m": plausibility.completed_months(child["birth_date"], day), "birth": _day(child["birth_date"])})
        return warnings

    def check_row(self, row: Row):
        get = row.values.get
        nik = (get("child_nik") or "").replace(" ", "")
        child_id = self.by_nik.get(nik) if nik else None
        if child_id is None and get("name") and get("birth_date"):
            birth = parse_date(get("birth_date"), "birth_date")
            child_id = self.by_key.get(_key(get("name"), birth, get("mother_name") or ""))
        if child_id is None:
            raise RowError(_("Anak tidak ditemukan di wilayah Anda (periksa child_nik, atau nama + tanggal lahir + "
                             "nama ibu; impor data anak terlebih dulu)."))
        child = self.child[child_id]
        parsed = self._parsed
        text = get("visit_date") or ""
        visit = parsed["visit_date"].get(text, _MISSING)
        if visit is _MISSING:
            visit = self._cached("visit_date", text, _parse_visit)
        if visit is None:
            raise RowError(_("visit_date wajib diisi."))
        if visit > self.today:
            raise RowError(_("Tanggal ukur %(d)s belum terjadi.") % {"d": visit})
        if visit < child["birth_date"]:
            raise RowError(_("Tanggal ukur sebelum tanggal lahir anak."))
        # One impossible value (a weight of 0) loses that value only: the rest is stored and computed, as WHO
        # Anthro computes length/height-for-age without a weight.
        warnings = []
        written_weight, written_lenhei = get("weight_kg") or "", get("lenhei_cm") or ""
        weight = parsed["weight_kg"].get(written_weight, _MISSING)
        if weight is _MISSING:
            weight = self._cached("weight_kg", written_weight, _parse_weight)
        weight = _possible(weight, written_weight, WEIGHT_KG, WEIGHT_LABEL, "kg", warnings)
        lenhei = parsed["lenhei_cm"].get(written_lenhei, _MISSING)
        if lenhei is _MISSING:
            lenhei = self._cached("lenhei_cm", written_lenhei, _parse_lenhei)
        lenhei = _possible(lenhei, written_lenhei, LENHEI_CM, LENHEI_LABEL, "cm", warnings)
        if weight is None and lenhei is None:
            raise RowError(" ".join([*warnings, _("Berat dan panjang/tinggi badan kosong semua.")]))
        written = get("measure") or ""
        measure = MEASURE.get(written) if written in MEASURE else MEASURE.get(" ".join(written.lower().split()))
        if measure is None:
            raise RowError(_("Kolom measure harus l (berbaring), h (berdiri) atau kosong."))
        written = get("place") or ""
        place = written if written in PLACES else ("_".join(written.lower().split()) or "posyandu")
        if place not in PLACES:
            raise RowError(_("Kolom place harus posyandu, kunjungan_rumah atau fasyankes."))
        posyandu_id = None
        if code := get("posyandu_code"):
            posyandu_id = self.posyandu.get(code)
            if posyandu_id is None:
                raise RowError(_("posyandu_code %(c)r tidak dikenal atau di luar wilayah Anda.") % {"c": code})
        if weight is not None:
            weight = _quantized(weight, CENTI)
        if lenhei is not None:
            lenhei = _quantized(lenhei, DECI)
        written = get("oedema")
        oedema = False if written in _NO else parse_bool(written or "", "oedema", default=False)
        written = get("headc_cm")
        headc = self._cached("headc_cm", written, _parse_headc) if written else None
        written = get("muac_cm")
        muac = self._cached("muac_cm", written, _parse_muac) if written else None
        posyandu_id = posyandu_id or child.get("posyandu_id")
        # No ``check_limits`` here: every value was checked against a range that fits its column (weight ≤ 150.00
        # in 5 digits, length ≤ 210.0 in 5, head ≤ 65.0 and LiLA ≤ 45.0 in 4; measure and place from fixed lists).
        old = self.existing.get((child_id, visit))
        seen = self._remember(child_id, visit, lenhei, measure, weight)
        warnings += self._plausibility(child, seen, place)
        key = f"{child_id}/{_iso(visit)}"
        # The row as the write needs it: a tuple (``ROW_FIELDS``), not a dict, for 1,000,000-row files.
        data = MeasurementRow(weight, lenhei, measure, oedema, headc, muac, place, posyandu_id, child_id, visit,
                              (visit - child["birth_date"]).days, child["sex"], child["desa_id"],
                              old["id"] if old is not None else None)
        if old is None:
            outcome = create(key, data)
        else:
            changes = diff({k: _plain(old[k]) for k in self.fields},
                           {k: _plain(v) for k, v in zip(self.fields, data)})
            outcome = update(key, data, changes, state=old) if changes else unchanged(key, state=old)
        if warnings:
            outcome.warnings = warnings
        return outcome

    def write(self, creates, updates):
        rows = [o.data for o in creates] + [o.data for o in updates]
        if not rows:
            return
        timings = getattr(self, "timings", {})
        clock = time.perf_counter()
        columns = {name: list(values) for name, values in zip(MeasurementRow._fields, zip(*rows))}
        computed = computed_columns(sex=columns["sex"], age_days=columns["age_days"], weight_kg=columns["weight_kg"],
                                    lenhei_cm=columns["lenhei_cm"], measure=columns["measure"],
                                    oedema=columns["oedema"], headc_cm=columns["headc_cm"],
                                    muac_cm=columns["muac_cm"])
        timings["zscores"] = timings.get("zscores", 0.0) + time.perf_counter() - clock
        clock = time.perf_counter()
        n_new = len(creates)
        stored = {name: columns[name] for name in (*self.fields, "child_id", "measured_on", "age_days")}
        stored.update(computed)
        insert_columns(Measurement, {k: v[:n_new] for k, v in stored.items()})
        if updates:
            names = [f.attname for f in Measurement._meta.concrete_fields
                     if f.attname not in {"id", "child_id", "measured_on"}]
            changed = [Measurement(id=columns["id"][n_new + i], child_id=columns["child_id"][n_new + i],
                                   measured_on=columns["measured_on"][n_new + i],
                                   **{k: stored[k][n_new + i] for k in names})
                       for i in range(len(updates))]
            Measurement.objects.bulk_update(changed, names, batch_size=1000)
        ids = {}
        if creates:
            # The new rows' keys: one query per chunk, over the children of the chunk.
            # Read with the cursor: the ORM's converters would make a date of every row's text (SQLite).
            children = sorted(set(columns["child_id"][:n_new]))
            first = min(columns["measured_on"][:n_new])
            table = connection.ops.quote_name(Measurement._meta.db_table)
            day_of: dict = {}
            with connection.cursor() as cursor:
                for start in range(0, len(children), 5000):
                    part = children[start:start + 5000]
                    cursor.execute(f"SELECT id, child_id, measured_on FROM {table} WHERE child_id IN "
                                   f"({', '.join(['%s'] * len(part))}) AND measured_on >= %s", [*part, first])
                    for i, c, d in cursor.fetchall():
                        day = day_of.get(d)
                        if day is None:
                            day = day_of[d] = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
                        ids[(c, day)] = i
        timings["write"] = timings.get("write", 0.0) + time.perf_counter() - clock
        clock = time.perf_counter()
        audit = self._audit()
        audit.created([ids.get(key) for key in zip(columns["child_id"][:n_new], columns["measured_on"][:n_new])],
                      {**{k: v[:n_new] for k, v in stored.items()}})
        audit.updated((o.data.id, o.changes) for o in updates)
        audit.finish()
        timings["audit"] = timings.get("audit", 0.0) + time.perf_counter() - clock
        data_changed.send(sender=Measurement, source="growth",
                          cells={(r.desa, r.measured_on) for r in rows})

    def _audit(self) -> ImportAudit:
        if getattr(self, "_import_audit", None) is None:
            self._import_audit = ImportAudit(actor=self.actor, source=self.source, import_job_id=self.job_id,
                                             model=Measurement, files=getattr(self, "files", []),
                                             fields=(*self.fields, "zwei", "zlen", "zwfl"))
        return self._import_audit


def computed_columns(*, sex, age_days, weight_kg, lenhei_cm, measure, oedema, headc_cm, muac_cm) -> dict[str, list]:
    """``services.computed_fields`` for columns instead of dicts: the computed Measurement fields (z-scores, flags,
    categories, programme flags) as one list per field, the same values (``test_import_computes_as_the_form``)."""
    oedema_yn = np.array(["y" if v else "n" for v in oedema], dtype=object)
    result = rules.zscores(
        np.array([1 if s == "L" else 2 for s in sex]), _num(age_days), _num(weight_kg), _num(lenhei_cm),
        np.array([_MEASURE_CODE[m or ""] for m in measure], dtype=np.int8), oedema_yn, headc_cm=_num(headc_cm),
        muac_cm=_num(muac_cm),
    )
    status = rules.status(result)
    flags = rules.nutrition_flags(result, oedema_yn)
    out: dict[str, list] = {}
    for z in Z_FIELDS:
        values = np.asarray(result[z], dtype=float)
        out[z] = np.where(np.isnan(values), None, values).tolist()
    n = len(sex)
    raised = {name: (np.asarray(result[key]) == 1) for key, name in FLAG_NAMES.items()}
    any_raised = np.zeros(n, dtype=bool)
    for on in raised.values():
        any_raised |= on
    out["flags"] = [""] * n
    for i in np.flatnonzero(any_raised).tolist():  # few rows have a flag
        out["flags"][i] = ", ".join(name for name, on in raised.items() if on[i])
    for key in ("bb_u", "pb_tb_u", "bb_pb_tb", "imt_u"):
        out[key] = [str(v) for v in status[key]]
    for key in ("stunting", "wasting", "underweight", "overweight"):
        values = np.asarray(flags[key], dtype=float)
        out[key] = np.where(np.isnan(values), None, values != 0).tolist()
    return out


#: One validated row of a measurement import, as ``MeasurementImporter.write`` takes it: the stored fields
#: (``MeasurementImporter.fields`` first, in that order), the child's sex and desa, and the stored record's id.
MeasurementRow = namedtuple("MeasurementRow", ("weight_kg", "lenhei_cm", "measure", "oedema", "headc_cm", "muac_cm",
                                               "place", "posyandu_id", "child_id", "measured_on", "age_days", "sex",
                                               "desa", "id"))
CENTI, DECI = Decimal("0.01"), Decimal("0.1")
_NO = frozenset({"", "tidak", "t", "0", "false", "salah", "tidak aktif", "no", "n"})
WEIGHT_LABEL = gettext_lazy("Berat badan")
LENHEI_LABEL = gettext_lazy("Panjang/tinggi badan")


def _quantized(value: Decimal, step: Decimal, _seen: dict = {}) -> Decimal:
    """``value.quantize(step)``, each distinct (value, step) computed once (a file repeats its values)."""
    done = _seen.get((value, step))
    if done is None:
        if len(_seen) >= _MAX_CACHED:
            _seen.clear()
        done = _seen[(value, step)] = value.quantize(step)
    return done


def _iso(day: dt.date, _seen: dict = {}) -> str:
    text = _seen.get(day)
    if text is None:
        if len(_seen) >= _MAX_CACHED:
            _seen.clear()
        text = _seen[day] = day.isoformat()
    return text


def _q(value):
    return value.quantize(Decimal("0.1")) if value is not None else None


_MISSING = object()
#: Below this difference (cm) ``plausibility.length_drop`` never reports a drop (it rounds to 0.01 cm first).
_NO_DROP_BELOW = plausibility.LENGTH_DROP_TOLERANCE_CM - 0.01
_MAX_CACHED = 100_000
#: At or below this gain (kg) ``plausibility.weight_jump`` never reports a gain (it allows at least 2 kg).
_NO_GAIN_BELOW = plausibility.WEIGHT_GAIN_KG_PER_30_DAYS + 1e-9
#: Younger than this (days) a child is never older than a balita (60 completed months take at least 1,825 days).
_NOT_OLDER_BELOW_DAYS = 1800


def _parse_visit(text):
    return parse_date(text, "visit_date")


def _parse_weight(text):
    return parse_decimal(text, "weight_kg")


def _parse_lenhei(text):
    return parse_decimal(text, "lenhei_cm")


def _parse_headc(text):
    return _q(parse_decimal(text, "headc_cm", low=25, high=65))


def _parse_muac(text):
    return _q(parse_decimal(text, "muac_cm", low=5, high=45))


#: What a measured value can be at all (outside: impossible, not stored): weight 0.5–150 kg, length 38–210 cm.
WEIGHT_KG = (Decimal("0.5"), Decimal("150"))
LENHEI_CM = (Decimal("38"), Decimal("210"))
#: A stored measure as the int8 code ``rules.zscores`` takes (``rules.measure_code``): no text cleaned per call.
_MEASURE_CODE = {"": rules.measure_code(""), "l": rules.measure_code("l"), "h": rules.measure_code("h")}
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
