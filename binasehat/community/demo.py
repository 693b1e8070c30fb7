"""Demo data for Desa Siaga and KKS: entered Siaga inputs for every desa of the demo district (so that every stratum
and some desa not yet Siaga Aktif occur), three OPD with users, and a 2025 KKS self-assessment in progress."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from binasehat.regions.models import Region

from . import services
from .models import KksAnswer, KksRound

DISTRICT = "19.03"
DEMO_PASSWORD = "bina-sehat-demo"
SIAGA_YEARS = (2025, 2026)
#: Target profile per desa, in code order (the computed inputs may still hold a desa below its target).
PROFILES = ("Madya", "Pratama", "Purnama", "Madya", "Mandiri", "", "Pratama", "Purnama", "Madya", "Mandiri")
ENTERED = {  # forum, ukbm lain, dana lain, ormas, peraturan, PHBS % (low, high)
    "": ("tidak_ada", 0, 0, 0, "tidak_ada", (5, 15)),
    "Pratama": ("belum_berjalan", 1, 0, 0, "tidak_ada", (8, 19)),
    "Madya": ("tidak_rutin", 2, 1, 1, "ada", (20, 39)),
    "Purnama": ("triwulanan", 3, 2, 2, "direalisasikan", (40, 69)),
    "Mandiri": ("bulanan", 4, 3, 2, "direalisasikan", (70, 88)),
}
OPD = [
    ("DINKES", "Dinas Kesehatan", "opd_kesehatan", "Yulia Rahmawati"),
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", "opd_pupr", "Hendra Saputra"),
    ("DISDIK", "Dinas Pendidikan", "opd_pendidikan", "Agus Salim"),
]
#: Tatanan (2025 round) → the OPD that owns its indicators in the demo.
OWNERS = {1: "DINKES", 2: "PUPR", 3: "DISDIK", 7: "PUPR", 8: "DINKES"}


def _user(username: str, role: str, full_name: str):
    User = get_user_model()
    first, last = full_name.split(" ", 1)
    user, created = User.objects.get_or_create(username=username, defaults={
        "role": role, "first_name": first, "last_name": last})
    if created:
        user.set_password(DEMO_PASSWORD)
    user.role = role
    user.save()
    return user


def build_siaga(actor) -> int:
    rng = random.Random(1529)
    desa = list(Region.objects.filter(level=4, code__startswith=DISTRICT + ".").order_by("code"))
    for i, d in enumerate(desa):
        profile = PROFILES[i % len(PROFILES)]
        forum, ukbm, dana, ormas, peraturan, (lo, hi) = ENTERED[profile]
        if i == 4:  # a desa whose Mandiri depends on the disputed cell: 2 other funding sources
            dana = 2
        for year in SIAGA_YEARS:
            services.siaga_input_save(actor=actor, desa=d, year=year, source="demo", data={
                "forum": forum, "akses_harian": profile != "" or i % 2 == 0, "ukbm_lain_aktif": ukbm,
                "dana_sumber_lain": dana, "ormas_aktif": ormas, "peraturan": peraturan,
                "phbs_rt_persen": rng.randint(lo, hi),
                "sk_number": f"140/{rng.randint(10, 99)}/SK/{year - 1}" if profile else "",
                "sk_date": dt.date(year - 1, rng.randint(1, 12), rng.randint(1, 28)) if profile else None,
                "evidence": "Notulen forum desa dan SK kepala desa (arsip kantor desa)" if profile else "",
            })
    return len(desa)


def build_kks(actor) -> dict:
    district = Region.objects.get(code=DISTRICT)
    institutions, members = {}, {}
    users = []
    for code, name, username, full_name in OPD:
        user = _user(username, "opd", full_name)
        institutions[code] = services.institution_register(actor=actor, district=district, code=code, name=name,
                                                           members=[user])
        members[code] = user
        users.append((username, "opd", name))
    rnd = KksRound.objects.get(year=2025)
    existing = rnd.assessments.filter(district=district).first()
    if existing is not None:  # built before: the demo is idempotent, and a round in progress stays as it is
        return {"assessment": existing.pk, "users": users}
    assessment = services.kks_assessment_start(actor=actor, round=rnd, district=district)
    answers = list(KksAnswer.objects.filter(assessment=assessment).select_related("indicator__tatanan"))
    for a in answers:
        owner = OWNERS.get(a.indicator.tatanan.number)
        if owner:
            services.kks_owner_set(actor=actor, answer=a, owner=institutions[owner])
    from .selectors import kks_answer_prefill

    filled = 0
    for a in answers:
        a.refresh_from_db()
        number = a.indicator.tatanan.number
        if number == 1:  # Dinkes: the computed indicators take the option the data reach
            pre = kks_answer_prefill(a)
            value = pre.option if pre and pre.option is not None else (100 if a.indicator.code == "1.1" else None)
            if value is not None:
                services.kks_answer_save(actor=members["DINKES"], answer=a, value=value,
                                         notes="Dari data Bina Sehat 2025" if pre else "Laporan kematian ibu 2025")
                filled += 1
        elif number == 2 and a.indicator.code.endswith(".1"):  # PUPR has started
            services.kks_answer_save(actor=members["PUPR"], answer=a, value=100, notes="STBM: 44 dari 53 desa ODF",
                                     evidence_link="https://stbm.kemkes.go.id/")
            filled += 1
    services.kks_basic_save(actor=actor, assessment=assessment, odf_percent=83.0, documents={
        "sk_tim_pembina": {"ada": True, "nomor": "188.45/112/2025"},
        "sk_forum": {"ada": True, "nomor": "188.45/113/2025"},
        "rencana_kerja": {"ada": False, "nomor": ""},
    })
    return {"assessment": assessment.pk, "filled": filled, "users": users}


def build() -> dict:
    User = get_user_model()
    actor = User.objects.filter(username="dinkes").first()
    desa = build_siaga(actor)
    kks = build_kks(actor)
    return {"siaga_desa": desa, **kks}
