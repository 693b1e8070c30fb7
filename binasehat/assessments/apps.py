from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "binasehat.assessments"
    label = "assessments"
    verbose_name = _("Penilaian")

    def ready(self):
        from binasehat.core.inputs import register

        from .indicator_inputs import EvaluationSource

        register(EvaluationSource())

        from binasehat.core.events import records_changed

        from . import services
        from .loading import load_rulesets

        post_migrate.connect(lambda sender, **kw: load_rulesets() if sender is self else None,
                             weak=False, dispatch_uid="assessments-rulesets")
        records_changed.connect(services.on_records_changed, weak=False, dispatch_uid="assessments-reevaluate")
