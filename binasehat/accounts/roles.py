"""Roles and what each may do. A permission is a plain string checked by views and services."""

from django.utils.translation import gettext_lazy as _

KADER, BIDAN_DESA, PUSKESMAS, DINKES, PROVINSI, ADMIN = "kader", "bidan_desa", "puskesmas", "dinkes", "provinsi", "admin"
#: A partner (LSM, CSR company, OPD …) bound to its institution: it sees only the plans, activities and action
#: items its institution is part of, never an area's records.
MITRA = "mitra"
OPD = "opd"

ROLE_CHOICES = [
    (KADER, _("Kader posyandu")),
    (BIDAN_DESA, _("Bidan desa")),
    (PUSKESMAS, _("Pengelola program puskesmas")),
    (DINKES, _("Dinas Kesehatan kabupaten/kota")),
    (PROVINSI, _("Dinas Kesehatan provinsi (baca saja)")),
    (ADMIN, _("Administrator")),
    (MITRA, _("Mitra lintas sektor (LSM, CSR, OPD)")),
    (OPD, _("Perangkat daerah (OPD) pemilik indikator KKS")),
]

#: What each role may do inside its area. Reading is governed by the area scope alone.
PERMISSIONS: dict[str, frozenset[str]] = {
    KADER: frozenset({"posyandu.record"}),
    BIDAN_DESA: frozenset({"posyandu.record", "facilities.change", "audit.view", "sensitive.view", "imports.run",
                           "individuals.export", "programs.enter", "siaga.enter"}),
    PUSKESMAS: frozenset({
        "posyandu.record", "facilities.change", "audit.view", "sensitive.view", "imports.run",
        "individuals.export", "programs.enter", "risk.plan", "followups.manage", "siaga.enter",
    }),
    DINKES: frozenset({
        "posyandu.record", "facilities.change", "puskesmas.change", "audit.view", "sensitive.view", "imports.run",
        "individuals.export", "regions.import", "users.manage", "programs.enter", "indicators.manage",
        "risk.plan", "risk.rules", "followups.manage",
        "siaga.enter", "kks.fill", "kks.submit",
    }),
    #: Read-only, except the province verification of its districts' submitted KKS assessments.
    PROVINSI: frozenset({"kks.verify_province"}),
    #: Only the KKS indicators its institution owns (bound to institutions, no area: sees nothing else).
    OPD: frozenset({"kks.fill"}),
    ADMIN: frozenset({
        "posyandu.record", "facilities.change", "puskesmas.change", "audit.view", "sensitive.view", "imports.run",
        "individuals.export", "regions.import", "users.manage", "programs.enter", "indicators.manage",
        "risk.plan", "risk.rules", "followups.manage",
        "siaga.enter", "kks.fill", "kks.submit", "kks.verify_province", "kks.verify_national",
    }),
    MITRA: frozenset({"partner.update"}),
}

#: How a role is bound: to areas (Kemendagri codes) or to facilities.
BINDING = {
    KADER: "posyandu",
    BIDAN_DESA: "area",
    PUSKESMAS: "puskesmas",
    DINKES: "area",
    PROVINSI: "area",
    ADMIN: "area",
    MITRA: "institution",
    OPD: "institution",
}
