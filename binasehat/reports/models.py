"""Desa/kelurahan boundaries a district uploads as GeoJSON, for choropleth maps."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from binasehat.regions.models import Region


class Boundary(models.Model):
    region = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="boundary",
                                  verbose_name=_("wilayah"))
    #: A GeoJSON Polygon or MultiPolygon in WGS84 longitude/latitude.
    geometry = models.JSONField(_("geometri"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    source = models.CharField(_("sumber"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("diunggah"), auto_now=True)

    class Meta:
        verbose_name = _("batas wilayah")
        verbose_name_plural = _("batas wilayah")

    def __str__(self):
        return self.region_id
