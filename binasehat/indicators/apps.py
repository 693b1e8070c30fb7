from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _create_cache_table(sender, using="default", **kwargs) -> None:
    """The database cache's table (evaluated indicator values), created by ``migrate`` like every other table."""
    from django.conf import settings
    from django.core.management import call_command

    if sender.label == "indicators" and "DatabaseCache" in settings.CACHES["default"]["BACKEND"]:
        call_command("createcachetable", database=using, verbosity=0)


class IndicatorsConfig(AppConfig):
    name = "binasehat.indicators"
    label = "indicators"
    verbose_name = _("Indikator")

    def ready(self):
        from binasehat.core.events import data_changed

        from . import aggregates, engine
        from .reference import load_reference

        post_migrate.connect(lambda sender, **kw: load_reference() if sender is self else None,
                             weak=False, dispatch_uid="indicators-reference")
        post_migrate.connect(_create_cache_table, weak=False, dispatch_uid="indicators-cache-table")
        data_changed.connect(aggregates.on_data_changed, weak=False, dispatch_uid="indicators-aggregates")
        data_changed.connect(engine.on_data_changed, weak=False, dispatch_uid="indicators-engine-cache")
        for model in ("DataSet", "DataElement"):
            for signal in (post_save, post_delete):
                signal.connect(engine.forget_kinds, sender=f"programs.{model}", weak=False,
                               dispatch_uid=f"indicators-kinds-{model}-{signal is post_save}")
