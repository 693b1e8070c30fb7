from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from binasehat.core.scope import Scope
from binasehat.facilities.models import Posyandu, Puskesmas
from binasehat.regions.models import Region

from . import roles


class Institution(models.Model):
    """A sector partner: desa/kelurahan government, PKK, an NGO (LSM), a CSR company, an OPD, a school …"""

    class Kind(models.TextChoices):
        DESA = "desa", _("pemerintah desa/kelurahan")
        KECAMATAN = "kecamatan", _("kecamatan")
        PKK = "pkk", _("PKK")
        KADER = "kader", _("kader")
        LSM = "lsm", _("LSM")
        CSR = "csr", _("perusahaan (CSR)")
        OPD = "opd", _("OPD")
        SEKOLAH = "sekolah", _("sekolah")
        TOKOH = "tokoh", _("tokoh agama/masyarakat")
        KESEHATAN = "kesehatan", _("dinas kesehatan/puskesmas")

    name = models.CharField(_("nama"), max_length=200, unique=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("lembaga mitra")
        verbose_name_plural = _("lembaga mitra")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person using Bina Sehat, with one role and the areas or facilities it is bound to."""

    role = models.CharField(_("peran"), max_length=20, choices=roles.ROLE_CHOICES, default=roles.KADER)
    areas = models.ManyToManyField(Region, verbose_name=_("wilayah"), blank=True, related_name="+")
    posyandu = models.ManyToManyField(Posyandu, verbose_name=_("posyandu"), blank=True, related_name="users")
    puskesmas = models.ManyToManyField(Puskesmas, verbose_name=_("puskesmas"), blank=True, related_name="users")
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    #: The institution a ``mitra`` user acts for (its only binding).
    institution = models.ForeignKey(Institution, verbose_name=_("lembaga"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="users")

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")

    @cached_property
    def scope(self) -> Scope:
        """The area this user may see. No binding, no data: default deny."""
        permissions = roles.PERMISSIONS.get(self.role, frozenset())
        if not self.is_active:
            return Scope(role=self.role)
        if self.role == roles.ADMIN and self.is_superuser and not self._area_code_set():
            return Scope(role=self.role, everything=True, permissions=permissions)
        binding = roles.BINDING.get(self.role)
        if binding == "institution":  # no area at all: partner (mitra) and OPD pages select by institution
            return Scope(role=self.role, permissions=permissions)
        if binding == "posyandu":
            rows = list(self.posyandu.filter(active=True).values_list("id", "desa_id"))
            return Scope(
                role=self.role,
                area_codes=frozenset(desa for _id, desa in rows),
                posyandu_ids=frozenset(pk for pk, _desa in rows),
                permissions=permissions,
            )
        if binding == "puskesmas":
            ids = list(self.puskesmas.values_list("id", flat=True))
            codes = Puskesmas.wilayah_kerja.through.objects.filter(puskesmas_id__in=ids).values_list(
                "region_id", flat=True
            )
            return Scope(
                role=self.role, area_codes=frozenset(codes), puskesmas_ids=frozenset(ids), permissions=permissions
            )
        return Scope(role=self.role, area_codes=self._area_code_set(), permissions=permissions)

    def _area_code_set(self) -> frozenset[str]:
        """The codes of the user's areas: read with the user when it was loaded with them
        (``backends.with_area_codes``), else from the database."""
        joined = getattr(self, "_area_codes", None)
        if joined is not None:
            return frozenset(c for c in joined.split(",") if c)
        return frozenset(self.areas.values_list("code", flat=True))

    def can(self, permission: str) -> bool:
        return self.scope.can(permission)

    @property
    def role_label(self):
        return self.get_role_display()
