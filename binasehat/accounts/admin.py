from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from binasehat.core.audit import audit_record, snapshot

from .models import Institution, User

AUDITED = ["username", "first_name", "last_name", "email", "role", "is_active", "is_staff", "is_superuser", "phone", "institution_id"]


def _state(user: User) -> dict:
    data = snapshot(user, AUDITED)
    if user.pk:
        data["areas"] = sorted(user.areas.values_list("code", flat=True))
        data["posyandu"] = sorted(user.posyandu.values_list("code", flat=True))
        data["puskesmas"] = sorted(user.puskesmas.values_list("code", flat=True))
    return data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """User accounts, for administrators. Every change is written to the audit trail like any other record."""

    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*BaseUserAdmin.fieldsets, ("Bina Sehat", {"fields": ("role", "phone", "institution", "areas", "posyandu", "puskesmas")}))
    filter_horizontal = ("groups", "user_permissions")
    raw_id_fields = ("areas", "posyandu", "puskesmas")

    def save_model(self, request, obj, form, change):
        request._audit_before = _state(User.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        before, after = getattr(request, "_audit_before", None), _state(user)
        if before != after:
            audit_record(actor=request.user, action="update" if change else "create", obj=user, before=before,
                         after=after, source="admin")

    def user_change_password(self, request, id, form_url=""):
        """The admin's "set password" form: audited (never the password itself)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            from django.contrib.admin.utils import unquote

            user = User.objects.filter(pk=unquote(id)).first()
            if user is not None:
                audit_record(actor=request.user, action="update", obj=user, before=None,
                             after={"password": "diganti" if user.has_usable_password() else "dinonaktifkan"},
                             source="admin")
        return response

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="delete", obj=obj, before=_state(obj), after=None, source="admin")
        super().delete_model(request, obj)


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name",)
