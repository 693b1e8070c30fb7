"""What the posyandu day adds to the growth records: services given and referrals, and the client ids of entries
sent from phones (so that a retry never stores an entry twice)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.facilities.models import Posyandu
from binasehat.families.models import Family
from binasehat.growth.models import Child


class ServiceVisit(models.Model):
    """Meja 4–5 of one child on one day: services given and whether, where and why the child was referred."""

    class Imunisasi(models.TextChoices):
        NONE = "", _("tidak ada")
        HB0 = "HB0", "HB0"
        BCG = "BCG", "BCG"
        POLIO = "Polio", "Polio"
        DPT = "DPT-HB-Hib", "DPT-HB-Hib"
        PCV = "PCV", "PCV"
        ROTA = "Rotavirus", "Rotavirus"
        MR = "MR", "MR"
        IPV = "IPV", "IPV"
        OTHER = "lain", _("lainnya")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="service_visits")
    posyandu = models.ForeignKey(Posyandu, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("tanggal"))
    vitamin_a = models.BooleanField(_("vitamin A"), default=False)
    imunisasi = models.CharField(_("imunisasi"), max_length=20, blank=True, choices=Imunisasi.choices)
    pmt = models.BooleanField(_("PMT"), default=False)
    referred = models.BooleanField(_("dirujuk"), default=False)
    referral_to = models.CharField(_("dirujuk ke"), max_length=100, blank=True)
    referral_reason = models.CharField(_("alasan rujukan"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("layanan posyandu")
        verbose_name_plural = _("layanan posyandu")
        ordering = ["child_id", "visited_on"]
        constraints = [models.UniqueConstraint(fields=["child", "visited_on"], name="service_visit_child_day_unique")]

    def __str__(self):
        from binasehat.core.formatting import date_text

        return f"{self.child.name} · {date_text(self.visited_on)}"

    @property
    def area_code(self):
        return self.child.desa_id


class ClientEntry(models.Model):
    """An entry made on a phone, by the id the phone gave it: storing it twice returns the first result."""

    client_id = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20)
    status = models.CharField(max_length=20)  # "ok", "conflict", "refused"
    object_pk = models.CharField(max_length=40, blank=True)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("entri dari ponsel")
        verbose_name_plural = _("entri dari ponsel")

    def __str__(self):
        return f"{self.kind} {self.client_id}"


class FamilyAssignment(models.Model):
    """A family a PIS-PK surveyor is to visit. A surveyor with assignments sees (and keeps offline) those families;
    one without sees the families of its area."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="family_assignments",
                             verbose_name=_("petugas pendata"))
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="assignments",
                               verbose_name=_("keluarga"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("keluarga tugas kunjungan")
        verbose_name_plural = _("keluarga tugas kunjungan")
        constraints = [models.UniqueConstraint(fields=["user", "family"], name="family_assignment_unique")]

    def __str__(self):
        return f"{self.user_id} → {self.family_id}"

    @property
    def area_code(self):
        return self.family.desa_id
