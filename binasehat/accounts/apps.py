from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "binasehat.accounts"
    label = "accounts"
    verbose_name = _("Akun")

    def ready(self):
        from .axes_names import name_axes_records

        name_axes_records()
