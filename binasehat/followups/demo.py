"""Demo follow-up: guidance visits, a district Pokjanal meeting whose decisions became action items in
different states (one overdue), a forum desa in Teladan, and the demo ``mitra`` user. Dates end last month."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from binasehat.accounts import roles
from binasehat.facilities.models import Posyandu, Puskesmas
from binasehat.regions.models import Region
from binasehat.risk.demo import DISTRICT, TELADAN, institutions, last_month_end
from binasehat.risk.models import Designation

from . import services
from .models import ActionItem, Meeting

DEMO_PASSWORD = "bina-sehat-demo"
MITRA_INSTITUTION = "Yayasan Peduli Sehat Bangka (LSM)"


def _mitra_user():
    User = get_user_model()
    user, created = User.objects.get_or_create(username="mitra", defaults={
        "role": roles.MITRA, "first_name": "Rina", "last_name": "Marlina", "email": "rina@example.org"})
    if created:
        user.set_password(DEMO_PASSWORD)
    user.role = roles.MITRA
    user.institution = institutions()[MITRA_INSTITUTION]
    user.save()
    return user


def build() -> dict:
    """Idempotent: does nothing when the demo Pokjanal meeting exists."""
    mitra = _mitra_user()
    anchor = last_month_end()
    if Meeting.objects.filter(kind=Meeting.Kind.POKJANAL, region_id=DISTRICT, date__year=anchor.year).exists():
        return {"meetings": 0}
    User = get_user_model()
    dinkes, puskesmas = User.objects.get(username="dinkes"), User.objects.get(username="puskesmas")
    inst = institutions()
    teladan = Designation.objects.filter(region_id=TELADAN, year=anchor.year).first()
    district = Region.objects.get(code=DISTRICT)
    day = lambda back: anchor - dt.timedelta(days=back)  # noqa: E731 - a date some days before the data end

    # Guidance visits: district → puskesmas, puskesmas → the kelurahan's posyandu.
    services.visit_record(actor=dinkes, date=day(50), level="kabupaten", region=Region.objects.get(code="19.03.01"),
                          puskesmas=Puskesmas.objects.get(code="P19030101"), designation=teladan,
                          team="Seksi Promkes dan Seksi P2P Dinas Kesehatan",
                          findings="Rencana intervensi Teladan dibahas; data PIS-PK perlu dimutakhirkan.")
    pkm_actor = puskesmas if puskesmas.scope.covers(TELADAN) else dinkes
    visit = services.visit_record(actor=pkm_actor, date=day(35), level="puskesmas",
                                  region=Region.objects.get(code=TELADAN), puskesmas=None, designation=teladan,
                                  team="Pemegang program gizi dan promkes Puskesmas Toboali",
                                  findings="Pembinaan posyandu di Kelurahan Teladan.")
    for i, p in enumerate(Posyandu.objects.filter(desa_id=TELADAN).order_by("code")):
        services.visit_finding_add(actor=pkm_actor, visit=visit, posyandu=p, has_sk=i != 1,
                                   stratum=["Madya", "Pratama", "Purnama"][i % 3], kader_budget=i == 0,
                                   pmt_budget=i != 1,
                                   note=["SK kader perlu diperbarui.", "Belum ada SK dan anggaran PMT.",
                                         "Dana sehat berjalan."][i % 3])

    # The district Pokjanal meeting and its decisions.
    meeting = services.meeting_record(
        actor=dinkes, kind=Meeting.Kind.POKJANAL, level=Meeting.Level.KABUPATEN, region=district, designation=teladan,
        date=day(40), place="Aula Dinas Kesehatan Kabupaten Bangka Selatan",
        agenda="1. Skor wilayah berisiko tahun lalu\n2. Rencana intervensi Kelurahan Teladan\n3. Pembinaan posyandu",
        findings="Teladan gagal di beberapa program sekaligus; dukungan lintas sektor dibutuhkan.")
    for name, where, role in [("Dewi Lestari", "Dinas Kesehatan", "Kepala Bidang Kesmas"),
                              ("Rahmat Hidayat", "Puskesmas Toboali", "Pemegang program"),
                              ("Hj. Sarifah", "TP PKK Kecamatan Toboali", "Ketua"),
                              ("Rina Marlina", MITRA_INSTITUTION, "Koordinator"),
                              ("Andi Saputra", "PT Samudra Timah Lestari (CSR)", "Staf CSR"),
                              ("Yusuf Halim", "Kecamatan Toboali", "Sekretaris camat")]:
        services.attendee_add(actor=dinkes, meeting=meeting, name=name, institution=where, role=role)
    activity = {a.institution.name: a for a in teladan.activities.exclude(institution=None)} if teladan else {}
    decisions = [
        ("Jumantik dibentuk di setiap RT Kelurahan Teladan", "Lurah Teladan", "lurah.teladan@example.org",
         inst["Pemerintah Kelurahan Teladan"], day(10), ActionItem.Status.SELESAI,
         "SK Lurah tentang Jumantik terbit; 8 RT punya jumantik."),
        ("Pendamping minum obat ODGJ berat untuk 5 keluarga", "Rina Marlina", "rina@example.org",
         inst[MITRA_INSTITUTION], anchor + dt.timedelta(days=45), ActionItem.Status.BERJALAN,
         "Pendamping sudah dilatih."),
        ("PMT lokal 90 hari untuk balita pendek", "Andi Saputra", "csr@example.org",
         inst["PT Samudra Timah Lestari (CSR)"], anchor + dt.timedelta(days=60), ActionItem.Status.TERBUKA, ""),
        ("Data PIS-PK Kelurahan Teladan dimutakhirkan", "Rahmat Hidayat", "puskesmas.toboali@example.org",
         inst["Kecamatan Toboali"], day(5), ActionItem.Status.TERBUKA, ""),  # overdue
    ]
    for text, owner, email, institution, due, status, evidence in decisions:
        region = teladan.region if teladan else district
        item = services.decision_record(actor=dinkes, meeting=meeting, region=region, decision=text,
                                        owner_name=owner, owner_email=email, institution=institution, due=due,
                                        activity=activity.get(institution.name))
        if status != ActionItem.Status.TERBUKA:
            services.action_update(actor=dinkes, item=item, version=item.version, status=status, evidence=evidence)

    # A forum desa in Teladan (counted by the Desa Siaga assessment).
    forum = services.meeting_record(actor=pkm_actor, kind=Meeting.Kind.FORUM_DESA, level=Meeting.Level.DESA,
                                    region=Region.objects.get(code=TELADAN), designation=teladan, date=day(20),
                                    place="Kantor Lurah Teladan", agenda="Survei mawas diri dan rencana PSN",
                                    findings="Warga sepakat kerja bakti setiap Jumat.")
    services.attendee_add(actor=pkm_actor, meeting=forum, name="Lurah Teladan", institution="Kelurahan Teladan",
                          role="Lurah")
    return {"meetings": 2, "mitra": mitra.username}
