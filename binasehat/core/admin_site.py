"""Django's admin titled Bina Sehat, with Indonesian names for the sections and models that third-party apps
(django-axes) or internal bookkeeping models do not name themselves."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

#: app label → section name in the admin
APP_NAMES = {
    "axes": _("Pembatasan login"),
}
#: "app_label.model" → name of the model's list in the admin
MODEL_NAMES = {
    "indicators.fillstate": _("status pengisian agregat"),
    "community.kksindicator": _("indikator KKS"),
}


class BinaAdminSite(admin.AdminSite):
    site_header = _("Bina Sehat — administrasi")
    site_title = _("Bina Sehat")
    index_title = _("Administrasi Bina Sehat")

    def _build_app_dict(self, request, label=None):
        app_dict = super()._build_app_dict(request, label)
        if not app_dict:
            return app_dict
        # one app's dict when asked for a label (Django 5.2 keeps it keyed by label in some paths): accept both
        apps = {label: app_dict} if "models" in app_dict else app_dict
        for app_label, app in apps.items():
            if app_label in APP_NAMES:
                app["name"] = capfirst(APP_NAMES[app_label])
            for m in app["models"]:
                key = f"{app_label}.{m['object_name'].lower()}"
                if key in MODEL_NAMES:
                    m["name"] = capfirst(MODEL_NAMES[key])
        return app_dict


class BinaAdminConfig(AdminConfig):
    default_site = "binasehat.core.admin_site.BinaAdminSite"
