from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "binasehat.programs"
    label = "programs"
    verbose_name = _("Data program")

    def ready(self):
        from binasehat.core.inputs import register

        from .indicator_inputs import ProgramsSource

        register(ProgramsSource())

        from .reference import load_reference

        from .validation import load_rules

        post_migrate.connect(lambda sender, **kw: load_reference() if sender is self else None,
                             weak=False, dispatch_uid="programs-reference")
        post_migrate.connect(lambda sender, **kw: load_rules() if sender is self else None,
                             weak=False, dispatch_uid="programs-validation-rules")
