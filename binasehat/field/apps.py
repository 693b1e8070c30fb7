from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "binasehat.field"
    label = "field"
    verbose_name = _("Kerja lapangan")

    def ready(self):
        from binasehat.posyandu.computed import register

        from .selectors import computed_month_figures

        register(computed_month_figures)
