"""What the API answers and accepts, as typed schemas: the OpenAPI document is generated from these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class Error(Schema):
    detail: Any = Field(..., description="Mengapa permintaan ditolak (bahasa Indonesia).")


# --- areas ---------------------------------------------------------------------------------------------------
class PopulationOut(Schema):
    year: int
    total: int = Field(..., description="Jumlah penduduk: Σ desa/kelurahan di bawah wilayah ini.")
    male: int | None = None
    female: int | None = None
    households: int | None = None
    desa: int = Field(..., description="Banyaknya desa/kelurahan yang dijumlahkan.")


class AreaOut(Schema):
    code: str = Field(..., description="Kode Kemendagri, mis. 19.03.01.2001.")
    name: str
    level: int = Field(..., description="1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan.")
    kind: str
    parent: str | None = Field(None, alias="parent_id")


class AreaDetail(AreaOut):
    population: list[PopulationOut] = Field(default_factory=list, description="Per tahun, terbaru dahulu.")
    children: list[AreaOut] = Field(default_factory=list, description="Wilayah satu tingkat di bawahnya.")


# --- facilities ----------------------------------------------------------------------------------------------
class FacilityBase(Schema):
    code: str
    name: str
    address: str
    latitude: float | None = None
    longitude: float | None = None
    active: bool = Field(..., description="Beroperasi (true) atau tutup.")
    updated_at: dt.datetime


class PuskesmasOut(FacilityBase):
    kecamatan: str = Field(..., alias="kecamatan_id")
    kecamatan_name: str = Field(..., alias="kecamatan.name")
    rawat_inap: bool
    phone: str
    wilayah_kerja: list[str] = Field(..., description="Kode desa/kelurahan wilayah kerja.")

    @staticmethod
    def resolve_wilayah_kerja(obj):
        return sorted(r.code for r in obj.wilayah_kerja.all())


class PosyanduOut(FacilityBase):
    desa: str = Field(..., alias="desa_id")
    desa_name: str = Field(..., alias="desa.name")
    kecamatan: str | None = Field(None, alias="desa.parent_id")
    dusun: str
    rw: str
    founded_on: dt.date | None = None
    sk_number: str
    sk_date: dt.date | None = None
    closed_on: dt.date | None = None


# --- programme data ------------------------------------------------------------------------------------------
class DataElementOut(Schema):
    code: str
    name: str
    name_en: str
    description: str
    data_set: str = Field(..., alias="data_set.code")
    value_type: str = Field(..., description="integer (bilangan bulat ≥ 0) atau number (angka ≥ 0).")


class DataSetOut(Schema):
    code: str
    name: str
    name_en: str
    description: str
    program: str
    period_type: str = Field(..., description="month (diisi per bulan) atau year (per tahun).")
    org_kind: str = Field(..., description="Unit pengisian: desa, puskesmas atau kabupaten.")
    elements: list[str]

    @staticmethod
    def resolve_elements(obj):
        return [e.code for e in obj.elements.all()]


class DataValueOut(Schema):
    dataElement: str = Field(..., alias="element.code")
    period: str
    orgUnit: str = Field(..., alias="org_unit")
    area: str = Field(..., alias="region_id", description="Wilayah terkecil tempat nilai ini dijumlahkan.")
    value: float
    comment: str
    lastUpdated: dt.datetime = Field(..., alias="last_updated")


class DataValueIn(Schema):
    dataElement: str = Field(..., description="Kode elemen data, mis. DBD_KASUS.")
    period: str = Field(..., description="2025-10 atau 202510 (bulan), 2025 (tahun).")
    orgUnit: str = Field(..., description="Kode desa/kabupaten (Kemendagri) atau kode puskesmas.")
    value: float | str | None = Field(None, description="Angka ≥ 0; kosong atau null menghapus nilai tersimpan.")
    comment: str = ""


class Conflict(Schema):
    row: int = Field(..., description="Nomor baris dalam kiriman, mulai 1.")
    dataElement: str = ""
    period: str = ""
    orgUnit: str = ""
    value: Any = None
    reason: str


class WriteSummaryOut(Schema):
    status: str = Field(..., description="OK, WARNING (sebagian ditolak, sisanya ditulis) atau ERROR (tidak ada "
                                         "yang ditulis).")
    dryRun: bool = False
    imported: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    ignored: int = Field(0, description="Baris yang ditolak dan tidak ditulis.")
    conflicts: list[Conflict] = Field(default_factory=list)


# --- indicators ----------------------------------------------------------------------------------------------
class TargetOut(Schema):
    value: float
    from_year: int | None = Field(..., description="Berlaku sejak tahun ini (kosong: tanpa batas awal).")
    to_year: int | None = Field(..., description="Berlaku sampai tahun ini (kosong: tanpa batas akhir).")
    source: str
    district: bool = Field(..., description="Target yang ditetapkan daerah sendiri (tidak ada target nasional).")


class IndicatorOut(Schema):
    code: str
    name: str
    name_en: str
    short: str
    program: str
    numerator: list[str] = Field(..., description="Masukan yang dijumlahkan (\"-x\" dikurangkan).")
    denominator: list[str]
    numerator_label: str
    denominator_label: str
    factor: float
    unit: str
    decimals: int
    formula: str
    direction: str = Field(..., description="up: makin tinggi makin baik; down: makin rendah makin baik.")
    behaviour: str = Field(..., description="Perilaku di bawah setahun: sum, annualised, yearly, distinct.")
    targets: list[TargetOut] = Field(..., description="Target dengan masa berlaku (tahun dari–sampai) dan sumbernya.")
    target_op: str
    source: str
    description: str

    @staticmethod
    def resolve_targets(obj) -> list[dict]:
        return [{"value": float(t["value"]), "from_year": t.get("from"), "to_year": t.get("to"),
                 "source": t.get("source", ""), "district": bool(t.get("district"))}
                for t in (obj.targets if isinstance(obj.targets, list) else [])]


class IndicatorValueOut(Schema):
    indicator: str
    area: str
    area_name: str
    period: str
    numerator: float | None
    denominator: float | None
    value: float | None = Field(..., description="pembilang ÷ penyebut × faktor, belum dibulatkan.")
    target: float | None
    meets: bool | None = Field(..., description="Nilai tepat (belum dibulatkan) memenuhi target.")


# --- DHIS2 ---------------------------------------------------------------------------------------------------
class Dhis2ExportFilters(Schema):
    """DHIS2's query parameters of ``dataValueSets`` (``dataSet``, ``period`` … may repeat)."""

    data_set: list[str] | None = Field(None, alias="dataSet")
    data_element: list[str] | None = Field(None, alias="dataElement")
    period: list[str] | None = None
    start_date: dt.date | None = Field(None, alias="startDate")
    end_date: dt.date | None = Field(None, alias="endDate")
    org_unit: list[str] | None = Field(None, alias="orgUnit")
    children: bool = Field(False, description="Juga semua unit di bawah orgUnit (seperti DHIS2, bawaan false).")
    id_scheme: str | None = Field(None, alias="idScheme", description="Hanya CODE.")


class Dhis2DataValue(Schema):
    model_config = ConfigDict(extra="allow")

    dataElement: str = Field(..., description="Kode elemen data.")
    period: str = Field(..., description="Periode ejaan DHIS2: 202510, 2025.")
    orgUnit: str = Field(..., description="Kode wilayah Kemendagri atau kode puskesmas.")
    categoryOptionCombo: str = "default"
    attributeOptionCombo: str = "default"
    value: str
    storedBy: str = ""
    created: str = ""
    lastUpdated: str = ""
    comment: str = ""
    followup: bool = False
    deleted: bool = False


class Dhis2DataValueSet(Schema):
    """A DHIS2 ``dataValueSets`` document (identifiers are codes: ``idScheme=CODE``)."""

    model_config = ConfigDict(extra="allow")

    dataSet: str | None = None
    dataValues: list[Dhis2DataValue]


class Dhis2ImportCount(Schema):
    imported: int
    updated: int
    ignored: int = Field(..., description="Baris bermasalah dan nilai yang sama dengan yang tersimpan.")
    deleted: int


class Dhis2Conflict(Schema):
    object: str
    property: str = ""
    objects: dict[str, str] = Field(default_factory=dict)
    value: str = Field(..., description="Alasan penolakan.")
    errorCode: str | None = Field(None, description="Kode galat DHIS2 2.40 (E76xx).")
    indexes: list[int] = Field(default_factory=list, description="Posisi baris (mulai 0) yang ditolak.")


class Dhis2ImportSummary(Schema):
    """DHIS2's import summary."""

    model_config = ConfigDict(extra="allow")

    responseType: str = "ImportSummary"
    status: str = Field(..., description="SUCCESS, WARNING atau ERROR.")
    description: str = ""
    importOptions: dict[str, Any] = Field(default_factory=dict)
    importCount: Dhis2ImportCount
    conflicts: list[Dhis2Conflict] = Field(default_factory=list)
    rejectedIndexes: list[int] = Field(default_factory=list)
    dataSetComplete: str = "false"


class Dhis2WebMessage(Schema):
    """DHIS2 2.40's WebMessage around an import summary."""

    httpStatus: str
    httpStatusCode: int
    status: str = Field(..., description="OK, WARNING atau ERROR.")
    message: str
    response: Dhis2ImportSummary
