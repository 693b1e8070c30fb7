"""Spreadsheet imports of puskesmas, pustu and posyandu (natural key: the facility code)."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import F
from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.audit import audit_bulk
from binasehat.core.bulk import insert_dicts
from binasehat.core.importing import (
    Importer, RowError, create, diff, parse_bool, parse_date, parse_decimal, register, unchanged, update,
)
from binasehat.core.tabular import Row
from binasehat.regions.models import Region

from .models import Posyandu, Pustu, Puskesmas

MICRO = Decimal("0.000001")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-/_]{0,29}$")


def _plain(value):
    return str(value) if value is not None and not isinstance(value, (str, bool, int)) else value


class FacilityImporter(Importer):
    model = None
    area_field = "desa_id"
    area_column = "desa_code"
    area_level = 4
    fields: tuple[str, ...] = ()
    permission = "facilities.change"

    @property
    def versioned_model(self):
        return self.model

    def begin(self):
        self.areas = set(
            Region.objects.filter(level=self.area_level).filter(self.scope.region_q("code")).values_list("code", flat=True)
        )
        self.known_elsewhere = set()
        self.existing = {}
        for obj in self.model.objects.all().values("id", "code", "version", *self.fields):
            if self.scope.covers(obj[self.area_field]):
                self.existing[obj["code"]] = obj
            else:
                self.known_elsewhere.add(obj["code"])

    def code_of(self, row: Row) -> str:
        code = row.get("code")
        if not _CODE.match(code):
            raise RowError(_("Kode %(code)r tidak sah: 1–30 huruf, angka, titik, garis miring atau tanda hubung.")
                           % {"code": code})
        if code in self.known_elsewhere:
            raise RowError(_("Kode %(code)s sudah dipakai fasilitas di luar wilayah Anda.") % {"code": code})
        return code

    def area_of(self, row: Row) -> str:
        code = row.get(self.area_column)
        if code not in self.areas:
            raise RowError(
                _("%(col)s %(code)r tidak dikenal atau di luar wilayah Anda.") % {"col": self.area_column, "code": code}
            )
        return code

    def common(self, row: Row) -> dict:
        name = " ".join(row.get("name").split())
        if not name:
            raise RowError(_("Nama kosong."))
        lat = parse_decimal(row.get("latitude"), "latitude", low=-11.5, high=6.5)
        lon = parse_decimal(row.get("longitude"), "longitude", low=94.5, high=141.5)
        if (lat is None) != (lon is None):
            raise RowError(_("Isi latitude dan longitude bersama-sama, atau kosongkan keduanya."))
        return {
            "name": name[:150],
            "address": row.get("address")[:255],
            "latitude": lat.quantize(MICRO) if lat is not None else None,
            "longitude": lon.quantize(MICRO) if lon is not None else None,
            "active": parse_bool(row.get("active"), "active", default=True),
        }

    def decide(self, code: str, data: dict, row: Row):
        old = self.existing.get(code)
        data["code"] = code
        self.check_limits(self.model, data, row, {self.area_field: self.area_column})
        if old is None:
            return create(code, data)
        changes = diff({k: _plain(old.get(k)) for k in data}, {k: _plain(v) for k, v in data.items()})
        if not changes:
            return unchanged(code, state=old)
        data["id"] = old["id"]
        return update(code, data, changes, state=old)

    def write(self, creates, updates):
        insert_dicts(self.model, (o.data for o in creates))
        ids = dict(self.model.objects.filter(code__in=[o.key for o in creates]).values_list("code", "id")) \
            if len(creates) < 500 else dict(self.model.objects.values_list("code", "id"))
        changed = [self.model(**o.data) for o in updates]
        if changed:
            self.model.objects.bulk_update(changed, list(self.fields), batch_size=2000)
            self.model.objects.filter(pk__in=[c.pk for c in changed]).update(version=F("version") + 1)
        before = {o.data["id"]: {k: v[0] for k, v in o.changes.items()} for o in updates}
        audit_bulk(
            [
                *({"action": "create", "obj": self.model(id=ids[o.key], code=o.key, name=o.data["name"]),
                   "before": None, "after": {k: _plain(v) for k, v in o.data.items()},
                   "area_code": o.data[self.area_field]} for o in creates),
                *({"action": "update", "obj": obj, "before": before[obj.pk],
                   "after": {k: _plain(v[1]) for k, v in o.changes.items()}, "area_code": obj.area_code}
                  for obj, o in zip(changed, updates)),
            ],
            **self.audit_kwargs(),
        )


@register
class PosyanduImporter(FacilityImporter):
    kind = "posyandu"
    label = gettext_lazy("Posyandu")
    aliases = {
        "code": ("Kode Posyandu", "Kode"), "name": ("Nama Posyandu", "Nama"),
        "desa_code": ("Kode Desa", "Kode Kelurahan", "Kode Desa/Kelurahan"), "address": ("Alamat",),
        "latitude": ("Lintang",), "longitude": ("Bujur",), "founded_on": ("Tanggal Berdiri", "Tgl Berdiri"),
        "sk_number": ("Nomor SK", "No SK"), "sk_date": ("Tanggal SK", "Tgl SK"), "active": ("Aktif",),
        "closed_on": ("Tanggal Tutup", "Tgl Tutup"),
    }
    description = gettext_lazy("Satu baris per posyandu. Kode posyandu menjadi kunci: impor ulang memperbarui.")
    model = Posyandu
    required = ("code", "name", "desa_code")
    optional = ("dusun", "rw", "address", "latitude", "longitude", "founded_on", "sk_number", "sk_date",
                "active", "closed_on")
    fields = ("name", "desa_id", "dusun", "rw", "address", "latitude", "longitude", "founded_on", "sk_number",
              "sk_date", "active", "closed_on")
    example = [{"code": "P19030120080001", "name": "Posyandu Mawar", "desa_code": "19.03.01.2008", "dusun": "Dusun I",
                "rw": "01", "address": "Jl. Raya Rias", "latitude": "-3.0105", "longitude": "106.4581",
                "founded_on": "2005-04-12", "sk_number": "140/12/SK/2023", "sk_date": "2023-01-05", "active": "ya",
                "closed_on": ""}]

    def check_row(self, row: Row):
        code = self.code_of(row)
        data = self.common(row)
        data["desa_id"] = self.area_of(row)
        data.update(
            dusun=row.get("dusun")[:100], rw=row.get("rw")[:10],
            founded_on=parse_date(row.get("founded_on"), "founded_on"),
            sk_number=row.get("sk_number")[:100], sk_date=parse_date(row.get("sk_date"), "sk_date"),
            closed_on=parse_date(row.get("closed_on"), "closed_on"),
        )
        if data["closed_on"] and data["active"]:
            raise RowError(_("Posyandu dengan tanggal tutup harus active = tidak."))
        if data["sk_date"] and not data["sk_number"]:
            raise RowError(_("Tanggal SK diisi tetapi nomor SK kosong."))
        if data["founded_on"] and data["closed_on"] and data["closed_on"] < data["founded_on"]:
            raise RowError(_("Tanggal tutup sebelum tanggal berdiri."))
        return self.decide(code, data, row)


@register
class PustuImporter(FacilityImporter):
    kind = "pustu"
    label = gettext_lazy("Pustu / Posyandu Prima")
    aliases = {
        "code": ("Kode Pustu", "Kode"), "name": ("Nama Pustu", "Nama"),
        "desa_code": ("Kode Desa", "Kode Kelurahan", "Kode Desa/Kelurahan"), "puskesmas_code": ("Kode Puskesmas",),
        "prima_since": ("Prima Sejak", "Tanggal Prima"), "address": ("Alamat",), "latitude": ("Lintang",),
        "longitude": ("Bujur",), "active": ("Aktif",),
    }
    description = gettext_lazy("Satu baris per pustu, dengan puskesmas induk dan status Posyandu Prima.")
    model = Pustu
    required = ("code", "name", "desa_code", "puskesmas_code", "posyandu_prima")
    optional = ("prima_since", "address", "latitude", "longitude", "active")
    fields = ("name", "desa_id", "puskesmas_id", "posyandu_prima", "prima_since", "address", "latitude",
              "longitude", "active")
    example = [{"code": "PST1903012008", "name": "Pustu Rias", "desa_code": "19.03.01.2008",
                "puskesmas_code": "P1903010101", "posyandu_prima": "ya", "prima_since": "2024-07-01"}]

    def begin(self):
        super().begin()
        # Only a puskesmas inside the importer's scope, or one serving a desa inside it, can be a pustu's parent.
        visible = Puskesmas.objects.filter(self.scope.puskesmas_q()).values_list("code", "id")
        serving = Puskesmas.objects.filter(wilayah_kerja__code__in=self.areas).values_list("code", "id")
        self.puskesmas = {**dict(visible), **dict(serving)}

    def check_row(self, row: Row):
        code = self.code_of(row)
        data = self.common(row)
        data["desa_id"] = self.area_of(row)
        pkm = row.get("puskesmas_code")
        if pkm not in self.puskesmas:
            raise RowError(_("puskesmas_code %(code)r tidak dikenal atau di luar wilayah Anda.") % {"code": pkm})
        prima = parse_bool(row.get("posyandu_prima"), "posyandu_prima", default=False)
        since = parse_date(row.get("prima_since"), "prima_since")
        if since and not prima:
            raise RowError(_("prima_since diisi padahal posyandu_prima = tidak."))
        data.update(puskesmas_id=self.puskesmas[pkm], posyandu_prima=prima, prima_since=since)
        return self.decide(code, data, row)


@register
class PuskesmasImporter(FacilityImporter):
    kind = "puskesmas"
    label = gettext_lazy("Puskesmas dan wilayah kerjanya")
    aliases = {
        "code": ("Kode Puskesmas", "Kode"), "name": ("Nama Puskesmas", "Nama"), "kecamatan_code": ("Kode Kecamatan",),
        "desa_codes": ("Kode Desa Wilayah Kerja", "Wilayah Kerja"), "phone": ("Telepon", "Nomor Telepon"),
        "address": ("Alamat",), "latitude": ("Lintang",), "longitude": ("Bujur",), "active": ("Aktif",),
    }
    description = gettext_lazy("Satu baris per puskesmas; desa_codes berisi kode desa wilayah kerja, dipisah titik koma.")
    model = Puskesmas
    area_field = "kecamatan_id"
    area_column = "kecamatan_code"
    area_level = 3
    permission = "puskesmas.change"
    required = ("code", "name", "kecamatan_code")
    optional = ("desa_codes", "rawat_inap", "phone", "address", "latitude", "longitude", "active")
    fields = ("name", "kecamatan_id", "rawat_inap", "phone", "address", "latitude", "longitude", "active")
    example = [{"code": "P1903010101", "name": "Puskesmas Toboali", "kecamatan_code": "19.03.01",
                "desa_codes": "19.03.01.1001;19.03.01.2008", "rawat_inap": "ya"}]

    def begin(self):
        super().begin()
        self.desa = set(Region.objects.filter(level=4).filter(self.scope.region_q("code")).values_list("code", flat=True))
        through = Puskesmas.wilayah_kerja.through
        self.wilayah = {}
        self.owner_of = {}
        for pkm_code, desa in through.objects.values_list("puskesmas__code", "region_id"):
            self.wilayah.setdefault(pkm_code, set()).add(desa)
            self.owner_of[desa] = pkm_code
        self.claimed: dict[str, str] = {}

    def check_row(self, row: Row):
        code = self.code_of(row)
        data = self.common(row)
        data["kecamatan_id"] = self.area_of(row)
        data.update(rawat_inap=parse_bool(row.get("rawat_inap"), "rawat_inap", default=False),
                    phone=row.get("phone")[:30])
        raw = row.get("desa_codes")
        desa = sorted({c.strip() for c in re.split(r"[;,\s]+", raw) if c.strip()}) if raw else None
        if desa is not None:
            unknown = [c for c in desa if c not in self.desa]
            if unknown:
                raise RowError(_("Kode desa tidak dikenal atau di luar wilayah Anda: %(codes)s") % {"codes": ", ".join(unknown)})
            kab = data["kecamatan_id"][:5]
            outside = [c for c in desa if not c.startswith(kab + ".")]
            if outside:
                raise RowError(_("Desa di luar kabupaten/kota puskesmas: %(codes)s") % {"codes": ", ".join(outside)})
            for c in desa:
                other = self.claimed.get(c) or self.owner_of.get(c)
                if other and other != code:
                    raise RowError(_("Desa %(desa)s sudah masuk wilayah kerja puskesmas %(other)s.") % {"desa": c, "other": other})
            for c in desa:
                self.claimed[c] = code
        outcome = self.decide(code, data, row)
        old_desa = sorted(self.wilayah.get(code, set()))
        if desa is not None and desa != old_desa and outcome.action != "create":
            if outcome.action == "unchanged":
                outcome = update(code, {**data, "id": self.existing[code]["id"]}, {}, state=self.existing[code])
            outcome.changes["desa_codes"] = [";".join(old_desa), ";".join(desa)]
        outcome.data = (outcome.data, desa) if outcome.data is not None else None
        return outcome

    def write(self, creates, updates):
        wilayah = {o.key: o.data[1] for o in [*creates, *updates]}
        for o in [*creates, *updates]:
            o.data = o.data[0]
        super().write(creates, updates)
        through = Puskesmas.wilayah_kerja.through
        ids = dict(Puskesmas.objects.filter(code__in=list(wilayah)).values_list("code", "id"))
        touched = [ids[c] for c, desa in wilayah.items() if desa is not None]
        through.objects.filter(puskesmas_id__in=touched).delete()
        through.objects.bulk_create(
            [through(puskesmas_id=ids[c], region_id=d) for c, desa in wilayah.items() if desa is not None for d in desa],
            batch_size=5000,
        )
