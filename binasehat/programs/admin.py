"""Programme data in the admin: data sets and elements come from ``reference/datasets.json`` and values are
written only through ``services.datavalues_write`` (entry form, imports), so the admin shows them read-only."""

from django.contrib import admin

from .models import DataElement, DataSet, DataValue


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DataElementInline(admin.TabularInline):
    model = DataElement
    fields = ("code", "name", "value_type", "sort")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(DataSet)
class DataSetAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "program", "period_type", "org_kind", "sort")
    list_filter = ("program", "period_type", "org_kind")
    search_fields = ("code", "name", "name_en")
    inlines = [DataElementInline]


@admin.register(DataElement)
class DataElementAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "data_set", "value_type", "sort")
    list_filter = ("data_set", "value_type")
    search_fields = ("code", "name", "name_en", "description")


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyAdmin):
    list_display = ("element", "org_unit", "period", "value", "comment", "stored_by", "last_updated", "deleted")
    list_filter = ("element__data_set", "element", "period", "deleted")
    search_fields = ("org_unit", "element__code", "element__name", "region__name", "comment")
    list_select_related = ("element", "updated_by")
    date_hierarchy = "period_start"
    show_full_result_count = False

from . import admin_validation  # noqa: E402,F401  (validation rules and min–max bounds)
