"""Spreadsheet imports of the area tree and of population."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _, gettext_lazy

from binasehat.core.audit import audit_bulk
from binasehat.core.bulk import insert_dicts
from binasehat.core.events import data_changed
from binasehat.core.importing import (
    Importer, RowError, create, defer, diff, parse_int, register, reject, unchanged, update,
)
from binasehat.core.tabular import Row

from . import rules
from .models import Population, Region


@register
class RegionImporter(Importer):
    """``code,name,parent_code`` as in the Kemendagri lists. Parents may come earlier in the same import
    (the four national files read in order) or later in it."""

    kind = "regions"
    label = gettext_lazy("Wilayah administrasi (kode Kemendagri)")
    aliases = {
        "code": ("Kode Wilayah", "Kode"), "name": ("Nama Wilayah", "Nama"),
        "parent_code": ("Kode Induk", "Kode Wilayah Induk"),
    }
    description = gettext_lazy("Satu baris per wilayah: kode bertitik, nama, dan kode induk.")
    required = ("code", "name")
    optional = ("parent_code",)
    permission = "regions.import"
    example = [
        {"code": "19.03", "name": "Kabupaten Bangka Selatan", "parent_code": "19"},
        {"code": "19.03.01", "name": "Toboali", "parent_code": "19.03"},
        {"code": "19.03.01.2008", "name": "Rias", "parent_code": "19.03.01"},
    ]

    def begin(self):
        self.existing = dict(Region.objects.values_list("code", "name"))
        self.accepted: set[str] = set()
        self.waiting: list[tuple[Row, str, str]] = []

    def check_row(self, row: Row):
        code = row.get("code")
        name = " ".join(row.get("name").split())
        try:
            rules.validate_code(code)
        except rules.CodeError as exc:
            return reject(str(exc), key=code)
        if not name:
            return reject(_("Nama wilayah kosong."), key=code)
        if len(name) > 255:
            return reject(_("Nama wilayah lebih dari 255 karakter."), key=code)
        parent = rules.parent_of(code)
        given = row.get("parent_code")
        if given and given != parent:
            return reject(
                _("parent_code %(given)s tidak cocok dengan kode %(code)s (induknya %(parent)s).")
                % {"given": given, "code": code, "parent": parent}, key=code,
            )
        if not self.scope.covers(code):
            return reject(_("Wilayah %(code)s di luar wilayah kerja Anda.") % {"code": code}, key=code)
        if parent and parent not in self.existing and parent not in self.accepted:
            self.waiting.append((row, code, name))
            return defer(code)
        return self._decide(code, name)

    def _decide(self, code, name):
        self.accepted.add(code)
        old = self.existing.get(code)
        if old is None:
            return create(code, name)
        if old == name:
            return unchanged(code)
        return update(code, name, {"name": [old, name]})

    def finish(self):
        # Resolve deferred rows in code order so that a parent is decided before its children.
        for row, code, name in sorted(self.waiting, key=lambda w: w[1]):
            parent = rules.parent_of(code)
            if parent in self.existing or parent in self.accepted:
                yield row, self._decide(code, name)
            else:
                yield row, reject(
                    _("Induk %(parent)s tidak ada di basis data maupun di berkas ini.") % {"parent": parent},
                    key=code,
                )

    def write(self, creates, updates):
        new = sorted(
            ({"code": o.key, "name": o.data, "parent_id": rules.parent_of(o.key), "level": rules.level_of(o.key),
              "kind": rules.kind_of(o.key)} for o in creates),
            key=lambda r: (r["level"], r["code"]),  # parents first, for the foreign key
        )
        insert_dicts(Region, new)
        changed = [Region(code=o.key, name=o.data, level=rules.level_of(o.key), kind=rules.kind_of(o.key))
                   for o in updates]
        Region.objects.bulk_update(changed, ["name"], batch_size=2000)
        audit_bulk(
            [
                *({"action": "create", "obj": Region(**r), "before": None,
                   "after": {"name": r["name"], "parent": r["parent_id"]}, "area_code": r["code"]} for r in new),
                *({"action": "update", "obj": r, "before": {"name": self.existing[r.code]},
                   "after": {"name": r.name}, "area_code": r.code} for r in changed),
            ],
            **self.audit_kwargs(),
        )


@register
class PopulationImporter(Importer):
    """``code,year,total`` (and optionally male, female, households, source): one row per area and year."""

    kind = "population"
    label = gettext_lazy("Jumlah penduduk per wilayah per tahun")
    aliases = {
        "code": ("Kode Wilayah", "Kode"), "year": ("Tahun",), "total": ("Jumlah Penduduk", "Jumlah", "Total"),
        "male": ("Laki-laki", "Penduduk Laki-laki"), "female": ("Perempuan", "Penduduk Perempuan"),
        "households": ("Jumlah Rumah Tangga", "Rumah Tangga", "Jumlah KK"), "source": ("Sumber", "Sumber Data"),
    }
    description = gettext_lazy("Penyebut indikator cakupan: penduduk per desa/kelurahan (atau wilayah lain) per tahun.")
    required = ("code", "year", "total")
    optional = ("male", "female", "households", "source")
    permission = "regions.import"
    example = [{"code": "19.03.01.2008", "year": "2025", "total": "3120", "male": "1590", "female": "1530",
                "households": "905", "source": "Dukcapil 2025"}]
    fields = ("total", "male", "female", "households", "source")

    def begin(self):
        self.regions = set(Region.objects.filter(self.scope.region_q("code")).values_list("code", flat=True))
        self.existing = {
            (p["region_id"], p["year"]): p
            for p in Population.objects.filter(self.scope.region_q("region__code")).values("id", "region_id", "year", *self.fields)
        }

    def check_row(self, row: Row):
        code = row.get("code")
        year = parse_int(row.get("year"), "year", low=1990, high=2100)
        key = f"{code}/{year}"
        if code not in self.regions:
            return reject(_("Wilayah %(code)s tidak dikenal atau di luar wilayah Anda.") % {"code": code}, key=key)
        data = {
            "total": parse_int(row.get("total"), "total", low=0, high=60_000_000),
            "male": parse_int(row.get("male"), "male", low=0, high=60_000_000),
            "female": parse_int(row.get("female"), "female", low=0, high=60_000_000),
            "households": parse_int(row.get("households"), "households", low=0, high=60_000_000),
            "source": row.get("source")[:120],
        }
        if data["male"] is not None and data["female"] is not None and data["male"] + data["female"] != data["total"]:
            raise RowError(_("Laki-laki + perempuan (%(sum)s) tidak sama dengan total (%(total)s).")
                           % {"sum": data["male"] + data["female"], "total": data["total"]})
        data.update(region_id=code, year=year)
        old = self.existing.get((code, year))
        if old is None:
            return create(key, data)
        changes = diff({f: old[f] for f in self.fields}, {f: data[f] for f in self.fields})
        if not changes:
            return unchanged(key)
        data["id"] = old["id"]
        return update(key, data, changes)

    def write(self, creates, updates):
        new = Population.objects.bulk_create([Population(**o.data) for o in creates], batch_size=5000)
        changed = [Population(**o.data) for o in updates]
        Population.objects.bulk_update(changed, list(self.fields), batch_size=5000)
        before = {o.data["id"]: {k: v[0] for k, v in o.changes.items()} for o in updates}
        audit_bulk(
            [
                *({"action": "create", "obj": p, "before": None,
                   "after": {f: getattr(p, f) for f in ("year", *self.fields)}, "area_code": p.region_id} for p in new),
                *({"action": "update", "obj": p, "before": before[p.pk],
                   "after": {f: getattr(p, f) for f in before[p.pk]}, "area_code": p.region_id} for p in changed),
            ],
            **self.audit_kwargs(),
        )
        data_changed.send(sender=Population, source="regions",
                          cells={(p.region_id, dt.date(p.year, 1, 1)) for p in [*new, *changed]})
