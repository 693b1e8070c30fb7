"""django-axes names its records in English with ISO times ("Access Log for dinkes @ 2026-12-03 07:22:03"); the
admin names them as everything else in the app: in the active language, with dates as 3 Des 2026 07.22."""

from django.utils.translation import gettext as _

from binasehat.core.formatting import date_text


def _access_log(self) -> str:
    return _("Masuk %(user)s pada %(at)s") % {"user": self.username or "—", "at": date_text(self.attempt_time)}


def _access_attempt(self) -> str:
    return _("Upaya masuk %(user)s pada %(at)s") % {"user": self.username or "—", "at": date_text(self.attempt_time)}


def _access_failure(self) -> str:
    text = _("Gagal masuk %(user)s pada %(at)s dari %(ip)s") % {
        "user": self.username or "—", "at": date_text(self.attempt_time), "ip": self.ip_address or "—"}
    return f"{text} ({_('terkunci')})" if self.locked_out else text


def name_axes_records() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.apps import apps
    from django.utils.translation import gettext_lazy

    # The section's name in the admin's breadcrumbs and titles (the index already says "Pembatasan login").
    apps.get_app_config("axes").verbose_name = gettext_lazy("Pembatasan login")

    AccessLog.__str__ = _access_log
    AccessAttempt.__str__ = _access_attempt
    AccessFailureLog.__str__ = _access_failure
