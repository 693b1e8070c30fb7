"""Demo risk areas in the demo district: Kelurahan Teladan (the seed's kelurahan, designated by its puskesmas)
and the desa with the highest score (designated by the district), each with a plan whose activities involve
partners. Everything goes through the services, as a user's work would. Dates end last month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from binasehat.accounts.models import Institution
from binasehat.indicators.models import Indicator
from binasehat.regions.models import Region

from . import services
from .loading import ruleset_load
from .models import Activity, Designation
from .scoring import district_scores

DISTRICT = "19.03"
TELADAN = "19.03.01.1002"
INSTITUTIONS = [
    ("Pemerintah Kelurahan Teladan", Institution.Kind.DESA),
    ("TP PKK Kecamatan Toboali", Institution.Kind.PKK),
    ("Yayasan Peduli Sehat Bangka (LSM)", Institution.Kind.LSM),
    ("PT Samudra Timah Lestari (CSR)", Institution.Kind.CSR),
    ("Dinas Pengendalian Penduduk dan KB", Institution.Kind.OPD),
    ("Kecamatan Toboali", Institution.Kind.KECAMATAN),
]


def last_month_end(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today.replace(day=1) - dt.timedelta(days=1)


def institutions() -> dict[str, Institution]:
    out = {}
    for name, kind in INSTITUTIONS:
        out[name], _created = Institution.objects.get_or_create(name=name, defaults={"kind": kind})
    return out


def _plan(actor, designation: Designation, problems, activities, anchor: dt.date) -> None:
    made = {}
    for code, text in problems:
        made[code] = services.problem_add(actor=actor, designation=designation,
                                          indicator=Indicator.objects.get(code=code), description=text)
    for i, (code, title, programme, partner, institution, responsible, budget, funding, status, note) in \
            enumerate(activities):
        start = min(designation.decided_on + dt.timedelta(days=14 + 21 * i), anchor)
        a = services.activity_save(
            actor=actor, designation=designation, problem=made.get(code), title=title, programme=programme,
            partner_kind=partner, institution=institution, responsible=responsible,
            budget=Decimal(budget) if budget else None, funding=funding, start=start,
            end=dt.date(designation.year, 12, 15), status=Activity.Status.RENCANA)
        if note:
            services.activity_progress(actor=actor, activity=a, date=min(start + dt.timedelta(days=30), anchor),
                                       text=note, status=status)


def build() -> dict:
    """Idempotent: does nothing when the demo designations exist."""
    ruleset = ruleset_load()
    anchor = last_month_end()
    year = anchor.year
    if Designation.objects.filter(region_id=TELADAN, year=year).exists():
        return {"designations": 0}
    User = get_user_model()
    dinkes, puskesmas = User.objects.get(username="dinkes"), User.objects.get(username="puskesmas")
    inst = institutions()
    scores = district_scores(DISTRICT, year - 1, ruleset)
    top = min((r for c, r in scores.items() if c != TELADAN), key=lambda r: (r.rank, r.code))
    decided = min(dt.date(year, 2, 3), anchor)

    teladan = services.designation_create(
        actor=puskesmas if puskesmas.scope.covers(TELADAN) else dinkes, region=Region.objects.get(code=TELADAN),
        year=year, decided_on=decided, score_year=year - 1,
        reason="Lokakarya mini puskesmas: beberapa program gagal bersamaan — penderita TB dan ODGJ berat yang "
               "diobati rendah, kasus DBD naik, dan gizi balita perlu perhatian. Kelurahan dibina bersama "
               "lintas sektor.")
    _plan(puskesmas if puskesmas.scope.covers(TELADAN) else dinkes, teladan, [
        ("PISPK_06", "Penderita TB di keluarga belum berobat sesuai standar."),
        ("PISPK_08", "ODGJ berat belum diobati dan ditelantarkan keluarga."),
        ("DBD_IR", "Kasus DBD naik; banyak rumah dengan jentik."),
        ("STUNTING", "Balita pendek di atas target."),
    ], [
        ("PISPK_06", "Kunjungan rumah penderita TB bersama kader dan PMO", Activity.Programme.P2P,
         Activity.Partner.KADER, inst["TP PKK Kecamatan Toboali"], "Bidan Kelurahan Teladan", 3500000,
         Activity.Funding.BOK, Activity.Status.BERJALAN, "12 rumah dikunjungi; 3 penderita mulai berobat."),
        ("PISPK_08", "Pendampingan minum obat ODGJ berat", Activity.Programme.JIWA, Activity.Partner.LSM,
         inst["Yayasan Peduli Sehat Bangka (LSM)"], "Koordinator lapangan yayasan", 6000000,
         Activity.Funding.CSR, Activity.Status.BERJALAN, "Pendamping dilatih; kunjungan pertama ke 5 keluarga."),
        ("DBD_IR", "PSN 3M Plus dan Gerakan 1 Rumah 1 Jumantik", Activity.Programme.KESLING,
         Activity.Partner.DESA, inst["Pemerintah Kelurahan Teladan"], "Lurah Teladan", 15000000,
         Activity.Funding.APBD, Activity.Status.SELESAI, "Jumantik terbentuk di 8 RT; kerja bakti tiap Jumat."),
        ("STUNTING", "PMT lokal untuk balita pendek", Activity.Programme.GIZI, Activity.Partner.CSR,
         inst["PT Samudra Timah Lestari (CSR)"], "Bagian CSR perusahaan", 24000000, Activity.Funding.CSR,
         Activity.Status.RENCANA, ""),
    ], anchor)

    other = services.designation_create(
        actor=dinkes, region=Region.objects.get(code=top.code), year=year, decided_on=decided, score_year=year - 1,
        reason=f"Skor tertinggi di kabupaten tahun {year - 1} ({top.score:g}); diputuskan dalam rapat Pokjanal.")
    failing = [c for c in top.result.failed if c in {"STUNTING", "POSYANDU_AKTIF", "ABJ", "DBD_IR", "IKS"}]
    _plan(dinkes, other, [(code, f"{code} tidak memenuhi ambang pada {year - 1}.") for code in failing[:3]], [
        (failing[0] if failing else "", "Revitalisasi posyandu dan pelatihan kader", Activity.Programme.PROMKES,
         Activity.Partner.DESA, None, "Kepala desa", 8000000, Activity.Funding.DANA_DESA,
         Activity.Status.BERJALAN, "Dua posyandu kembali buka setiap bulan."),
        (failing[1] if len(failing) > 1 else "", "Kelas ibu balita dan konseling gizi", Activity.Programme.GIZI,
         Activity.Partner.OPD, inst["Dinas Pengendalian Penduduk dan KB"], "Penyuluh KB kecamatan", None,
         Activity.Funding.APBD, Activity.Status.RENCANA, ""),
    ], anchor)
    return {"designations": 2, "areas": [TELADAN, top.code]}
