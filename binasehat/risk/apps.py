from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "binasehat.risk"
    label = "risk"
    verbose_name = _("Wilayah berisiko")

    def ready(self):
        from .loading import ruleset_load

        # The shipped rule set is loaded once; afterwards the district edits it on its page (never overwritten).
        post_migrate.connect(lambda sender, **kw: ruleset_load() if sender is self else None,
                             dispatch_uid="risk-ruleset", weak=False)
