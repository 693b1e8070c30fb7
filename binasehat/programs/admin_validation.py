"""Validation rules and min–max bounds in the Django admin, for the district (role permission
``indicators.manage``) and superusers. Every change is audited; editing a shipped rule stops the reference file
from overwriting it after the next migration. Imported by ``programs/admin.py``."""

from django.contrib import admin

from binasehat.core.audit import audit_record, snapshot

from .models import MinMax, ValidationRule


def _may_manage(request) -> bool:
    user = request.user
    return user.is_active and (user.is_superuser or user.can("indicators.manage"))


class _ManagedByDistrict(admin.ModelAdmin):
    def has_module_permission(self, request):
        return _may_manage(request)

    def has_view_permission(self, request, obj=None):
        return _may_manage(request)

    def has_add_permission(self, request):
        return _may_manage(request)

    def has_change_permission(self, request, obj=None):
        return _may_manage(request)

    def has_delete_permission(self, request, obj=None):
        return _may_manage(request)

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        self.before_save(obj, change)
        super().save_model(request, obj, form, change)
        audit_record(actor=request.user, action="update" if change else "create", obj=obj, before=before,
                     after=snapshot(obj), area_code=getattr(obj, "region_id", "") or "", source="admin")

    def before_save(self, obj, change):
        pass

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="delete", obj=obj, before=snapshot(obj), after=None,
                     area_code=getattr(obj, "region_id", "") or "", source="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(ValidationRule)
class ValidationRuleAdmin(_ManagedByDistrict):
    list_display = ("code", "name", "importance", "period_type", "operator", "active", "from_reference")
    list_filter = ("importance", "period_type", "operator", "active")
    search_fields = ("code", "name", "left_expression", "right_expression")
    readonly_fields = ("from_reference", "updated_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "instruction", "importance", "period_type", "active")}),
        ("Ruas kiri", {"fields": ("left_expression", "left_description", "left_missing")}),
        ("Operator", {"fields": ("operator",)}),
        ("Ruas kanan", {"fields": ("right_expression", "right_description", "right_missing")}),
        ("Asal", {"fields": ("from_reference", "updated_at")}),
    )

    def before_save(self, obj, change):
        obj.from_reference = False


@admin.register(MinMax)
class MinMaxAdmin(_ManagedByDistrict):
    list_display = ("element", "org_unit", "min_value", "max_value", "updated_at")
    list_filter = ("element__data_set",)
    search_fields = ("org_unit", "element__code")
    raw_id_fields = ("region", "puskesmas")
