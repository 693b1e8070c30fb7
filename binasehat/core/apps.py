from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "binasehat.core"
    label = "core"
    verbose_name = _("Inti")

    def ready(self):
        # Every app registers its kinds of import in its own importers.py.
        autodiscover_modules("importers")
        # The admin has discovered every admin.py by now (django.contrib.admin comes first): audit its writes.
        from django.contrib import admin

        from .admin_audit import ensure_audited

        ensure_audited(admin.site)
        # Pages kept in the cache are replaced when a table they read is written: watch every statement.
        from . import pagecache

        pagecache.ready()
