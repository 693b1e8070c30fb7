from django.contrib import admin

from binasehat.core.audit import audit_record, snapshot

from .models import FillState, Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    """Definitions ship with the package; a district edits the targets here (audited)."""

    list_display = ("code", "name", "program", "factor", "unit", "direction", "target_op", "targets")
    list_filter = ("program",)
    search_fields = ("code", "name", "name_en")
    readonly_fields = ("code", "numerator", "denominator", "factor", "formula", "source")

    def save_model(self, request, obj, form, change):
        before = snapshot(Indicator.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="update" if change else "create", obj=obj, before=before,
                     after=snapshot(obj), source="admin")


@admin.register(FillState)
class FillStateAdmin(admin.ModelAdmin):
    list_display = ("source", "rebuilt_at", "refreshed_at", "rows", "seconds")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
