"""`import_data posyandu-months`: one row per posyandu and month (natural key: posyandu_code + month)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.audit import audit_bulk
from binasehat.core.bulk import insert_dicts
from binasehat.core.events import data_changed, records_changed
from binasehat.core.importing import (
    Importer, RowError, create, diff, parse_bool, parse_decimal, parse_int, register, unchanged, update,
)
from binasehat.core.tabular import Row
from binasehat.facilities.models import Posyandu

from . import rules
from .models import PosyanduMonth

REQUIRED = ("posyandu_code", "month", "opening_days", "kader_on_duty", "s", "k", "d", "n", "ibu_hamil_sasaran",
            "ibu_hamil_dilayani", "kb_sasaran", "kb_dilayani", "imunisasi_sasaran", "imunisasi_dilayani", "kk_total",
            "kk_dana_sehat", "alat_pantau", "kegiatan_tambahan")
OPTIONAL_COUNTS = tuple(f for f in rules.COUNT_FIELDS if f not in REQUIRED)
STORED = ("opening_days", "kader_on_duty", *rules.COUNT_FIELDS, "alat_pantau", "kegiatan_tambahan",
          "kegiatan_tambahan_uraian")


def _plain(v):
    return str(v) if isinstance(v, Decimal) else v


@register
class PosyanduMonthImporter(Importer):
    kind = "posyandu-months"
    label = gettext_lazy("Laporan bulanan posyandu")
    aliases = {
        "posyandu_code": ("Kode Posyandu",), "month": ("Bulan", "Bulan Laporan"),
        "opening_days": ("Hari Buka", "Jumlah Hari Buka"),
        "kader_on_duty": ("Kader Bertugas", "Jumlah Kader Bertugas"), "t2": ("2T",),
        "ibu_hamil_sasaran": ("Sasaran Ibu Hamil",), "kb_sasaran": ("Sasaran KB",),
        "imunisasi_sasaran": ("Sasaran Imunisasi",), "gizi_sasaran": ("Sasaran Gizi",), "kk_total": ("Jumlah KK",),
        "kk_dana_sehat": ("KK Ikut Dana Sehat",), "kegiatan_tambahan_uraian": ("Uraian Kegiatan Tambahan",),
    }
    description = gettext_lazy(
        "Satu baris per posyandu per bulan (month TTTT-BB). opening_days 0 = tidak buka; kader_on_duty = rerata "
        "kader bertugas per hari buka; alat_pantau dan kegiatan_tambahan ya/tidak. Bulan tanpa baris dihitung tidak buka.")
    required = REQUIRED
    optional = (*OPTIONAL_COUNTS, "kegiatan_tambahan_uraian")
    permission = "imports.run"
    versioned_model = PosyanduMonth
    example = [{
        "posyandu_code": "190301100101", "month": "2025-03", "opening_days": "1", "kader_on_duty": "5", "s": "40",
        "k": "38", "d": "32", "n": "25", "ibu_hamil_sasaran": "6", "ibu_hamil_dilayani": "4", "kb_sasaran": "30",
        "kb_dilayani": "18", "imunisasi_sasaran": "8", "imunisasi_dilayani": "6", "kk_total": "120",
        "kk_dana_sehat": "40", "alat_pantau": "ya", "kegiatan_tambahan": "ya", "o": "2", "b": "1",
        "kegiatan_tambahan_uraian": "Kelas ibu balita"}]

    def begin(self):
        self.posyandu = {code: (pk, desa) for code, pk, desa in
                         Posyandu.objects.filter(self.scope.posyandu_q()).values_list("code", "id", "desa_id")}
        ids = [pk for pk, _d in self.posyandu.values()]
        self.existing = {}
        for row in PosyanduMonth.objects.filter(posyandu_id__in=ids).values("id", "posyandu_id", "month", "version",
                                                                            *STORED):
            self.existing[(row["posyandu_id"], row["month"])] = row
        self.today = timezone.localdate()
        self.touched: dict[int, set] = {}

    def check_row(self, row: Row):
        code = row.get("posyandu_code")
        try:
            month = rules.parse_month(row.get("month"))
        except ValueError:
            raise RowError(_("Kolom month harus TTTT-BB (mis. 2025-03), bukan \"%(v)s\".") % {"v": row.get("month")}) from None
        key = f"{code}/{month:%Y-%m}"
        if code not in self.posyandu:
            raise RowError(_("posyandu_code %(c)r tidak dikenal atau di luar wilayah Anda.") % {"c": code})
        pk, desa = self.posyandu[code]
        data = {f: parse_int(row.get(f), f, low=None) for f in rules.COUNT_FIELDS}
        opening = parse_int(row.get("opening_days"), "opening_days", low=None)
        if opening is None:
            raise RowError(_("opening_days wajib diisi (0 bila tidak buka)."))
        kader = parse_decimal(row.get("kader_on_duty"), "kader_on_duty") or Decimal(0)
        data.update(
            opening_days=opening, kader_on_duty=kader.quantize(Decimal("0.1")),
            alat_pantau=parse_bool(row.get("alat_pantau"), "alat_pantau", default=False),
            kegiatan_tambahan=parse_bool(row.get("kegiatan_tambahan"), "kegiatan_tambahan", default=False),
            kegiatan_tambahan_uraian=row.get("kegiatan_tambahan_uraian")[:255],
        )
        self.check_limits(PosyanduMonth, data, row)
        problems = rules.month_problems({**data, "month": month}, today=self.today)
        if problems:
            raise RowError("; ".join(f"{f}: {m}" for f, m in problems.items()))
        old = self.existing.get((pk, month))
        self.touched.setdefault(pk, set()).add(month)
        if old is None:
            return create(key, {**data, "posyandu_id": pk, "month": month, "_desa": desa})
        changes = diff({f: _plain(old[f]) for f in STORED}, {f: _plain(data[f]) for f in STORED})
        if not changes:
            return unchanged(key, state=old)
        return update(key, {**data, "id": old["id"], "posyandu_id": pk, "month": month, "_desa": desa}, changes,
                      state=old)

    def write(self, creates, updates):
        insert_dicts(PosyanduMonth, ({k: v for k, v in o.data.items() if k != "_desa"} for o in creates))
        changed = [PosyanduMonth(**{k: v for k, v in o.data.items() if k != "_desa"}) for o in updates]
        PosyanduMonth.objects.bulk_update(changed, list(STORED), batch_size=1000)
        PosyanduMonth.objects.filter(pk__in=[c.pk for c in changed]).update(version=F("version") + 1)
        ids = {(p, m): i for i, p, m in PosyanduMonth.objects.filter(
            posyandu_id__in={o.data["posyandu_id"] for o in creates}).values_list("id", "posyandu_id", "month")}
        audit_bulk(
            [
                *({"action": "create", "obj": PosyanduMonth(id=ids[(o.data["posyandu_id"], o.data["month"])],
                                                        posyandu_id=o.data["posyandu_id"], month=o.data["month"]),
                   "before": None, "after": {f: _plain(o.data[f]) for f in STORED}, "area_code": o.data["_desa"]}
                  for o in creates),
                *({"action": "update", "obj": PosyanduMonth(id=o.data["id"], posyandu_id=o.data["posyandu_id"],
                                                      month=o.data["month"]),
                   "before": {k: v[0] for k, v in o.changes.items()}, "after": {k: v[1] for k, v in o.changes.items()},
                   "area_code": o.data["_desa"]} for o in updates),
            ],
            **self.audit_kwargs(),
        )
        touched = {pk for o in [*creates, *updates] for pk in [o.data["posyandu_id"]]}
        months = sorted({o.data["month"] for o in [*creates, *updates]})
        data_changed.send(sender=PosyanduMonth, source="posyandu",
                          cells={(o.data["_desa"], o.data["month"]) for o in [*creates, *updates]})
        transaction.on_commit(lambda: records_changed.send(sender=PosyanduMonth, posyandu_ids=sorted(touched),
                                                           months=months), robust=True)
