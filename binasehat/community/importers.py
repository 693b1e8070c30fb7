"""`import_data siaga`: the entered Desa Siaga inputs, one row per desa/kelurahan and year.

Columns: desa_code,year,forum,akses_harian,ukbm_lain_aktif,dana_sumber_lain,ormas_aktif,peraturan,phbs_rt_persen
[,sk_number,sk_date]. Natural key: desa_code + year."""

from __future__ import annotations

from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.importing import (
    Importer, RowError, create, diff, parse_bool, parse_date, parse_decimal, parse_int, register, unchanged, update,
)
from binasehat.core.tabular import Row
from binasehat.regions.models import Region

from . import rules
from .models import SiagaInput
from .services import siaga_input_save

FIELDS = ("forum", "akses_harian", "ukbm_lain_aktif", "dana_sumber_lain", "ormas_aktif", "peraturan",
          "phbs_rt_persen", "sk_number", "sk_date")


def _plain(v):
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if v is not None and not isinstance(v, (bool, int, str)):
        return str(v)
    return v


@register
class SiagaImporter(Importer):
    kind = "siaga"
    label = gettext_lazy("Masukan Desa Siaga")
    aliases = {
        "desa_code": ("Kode Desa", "Kode Kelurahan", "Kode Desa/Kelurahan"), "year": ("Tahun",),
        "forum": ("Forum Masyarakat Desa", "Forum Desa"), "akses_harian": ("Akses Pelayanan Harian",),
        "dana_sumber_lain": ("Sumber Dana Lain",), "peraturan": ("Peraturan Desa", "Perdes"),
        "phbs_rt_persen": ("PHBS Rumah Tangga (%)", "PHBS RT (%)"), "sk_number": ("Nomor SK", "No SK"),
        "sk_date": ("Tanggal SK", "Tgl SK"),
    }
    description = gettext_lazy(
        "Satu baris per desa/kelurahan dan tahun. forum: tidak_ada|belum_berjalan|tidak_rutin|triwulanan|bulanan; "
        "peraturan: tidak_ada|ada|direalisasikan; akses_harian ya/tidak; jumlah sebagai bilangan bulat; "
        "phbs_rt_persen 0–100 (dipakai bila PIS-PK tidak memberi angka).")
    required = ("desa_code", "year", "forum", "akses_harian", "ukbm_lain_aktif", "dana_sumber_lain", "ormas_aktif",
                "peraturan", "phbs_rt_persen")
    optional = ("sk_number", "sk_date")
    permission = "siaga.enter"
    example = [{"desa_code": "19.03.01.2001", "year": "2025", "forum": "triwulanan", "akses_harian": "ya",
                "ukbm_lain_aktif": "3", "dana_sumber_lain": "2", "ormas_aktif": "2", "peraturan": "direalisasikan",
                "phbs_rt_persen": "45", "sk_number": "140/12/SK/2025", "sk_date": "2025-02-10"}]

    def begin(self):
        self.desa = {c: None for c in Region.objects.filter(level=4).filter(self.scope.region_q("code"))
                     .values_list("code", flat=True)} if self.scope.posyandu_ids is None else {}
        self.existing = {(i["desa_id"], i["year"]): i for i in SiagaInput.objects.values("desa_id", "year", *FIELDS)}

    def check_row(self, row: Row):
        code = row.get("desa_code")
        if code not in self.desa:
            raise RowError(_("desa_code %(c)r tidak dikenal atau di luar wilayah Anda.") % {"c": code})
        year = parse_int(row.get("year"), "year", low=2000, high=2100)
        if year is None:
            raise RowError(_("Kolom year kosong."))
        forum = row.get("forum").lower()
        if forum not in rules.FORUM_LEVELS:
            raise RowError(_("Kolom forum harus salah satu dari %(v)s.") % {"v": "|".join(rules.FORUM_LEVELS)})
        peraturan = row.get("peraturan").lower()
        if peraturan not in rules.PERATURAN_LEVELS:
            raise RowError(_("Kolom peraturan harus salah satu dari %(v)s.") % {"v": "|".join(rules.PERATURAN_LEVELS)})
        data = {
            "forum": forum, "akses_harian": parse_bool(row.get("akses_harian"), "akses_harian"),
            "ukbm_lain_aktif": parse_int(row.get("ukbm_lain_aktif"), "ukbm_lain_aktif", high=1000),
            "dana_sumber_lain": parse_int(row.get("dana_sumber_lain"), "dana_sumber_lain", high=1000),
            "ormas_aktif": parse_int(row.get("ormas_aktif"), "ormas_aktif", high=1000),
            "peraturan": peraturan,
            "phbs_rt_persen": parse_decimal(row.get("phbs_rt_persen"), "phbs_rt_persen", low=0, high=100),
            "sk_number": row.get("sk_number")[:100], "sk_date": parse_date(row.get("sk_date"), "sk_date"),
        }
        key = f"{code}/{year}"
        old = self.existing.get((code, year))
        if old is None:
            return create(key, {"desa": code, "year": year, **data})
        new = {k: _plain(v) for k, v in data.items()}
        if isinstance(new["phbs_rt_persen"], str):
            new["phbs_rt_persen"] = str(float(new["phbs_rt_persen"]))
        before = {k: _plain(old[k]) for k in FIELDS}
        if before["phbs_rt_persen"] is not None:
            before["phbs_rt_persen"] = str(float(before["phbs_rt_persen"]))
        changes = diff(before, new)
        if not changes:
            return unchanged(key)
        return update(key, {"desa": code, "year": year, **data}, changes)

    def write(self, creates, updates):
        regions = {r.code: r for r in Region.objects.filter(code__in={o.data["desa"] for o in [*creates, *updates]})}
        for o in [*creates, *updates]:
            data = {k: v for k, v in o.data.items() if k not in ("desa", "year")}
            siaga_input_save(actor=self.actor, desa=regions[o.data["desa"]], year=o.data["year"], data=data,
                             source=self.source if self.source != "import" else "impor")
