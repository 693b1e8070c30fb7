from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupsConfig(AppConfig):
    name = "binasehat.followups"
    label = "followups"
    verbose_name = _("Pembinaan dan tindak lanjut")
