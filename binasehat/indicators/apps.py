from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "binasehat.indicators"
    label = "indicators"
    verbose_name = _("Indikator")

    def ready(self):
        from binasehat.core.events import data_changed

        from . import aggregates
        from .reference import load_reference

        post_migrate.connect(lambda sender, **kw: load_reference() if sender is self else None,
                             weak=False, dispatch_uid="indicators-reference")
        data_changed.connect(aggregates.on_data_changed, weak=False, dispatch_uid="indicators-aggregates")
