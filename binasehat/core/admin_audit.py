"""Every write through Django's admin is audited like a write through a service.

``AuditedAdmin`` audits adding, changing (with many-to-many fields and inlines) and deleting one record, and the
"delete selected" bulk action record by record. ``ensure_audited(site)`` runs once the admin has discovered every
``admin.py``: a registered admin that audits nothing itself (Django's groups, django-axes' lock-outs, ours) is
replaced by the same admin with ``AuditedAdmin`` in front; the writes an admin already audits itself
(``save_model``, ``delete_model`` or ``delete_queryset`` overridden to audit) are left to it.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from .audit import audit_record, snapshot


def state(obj: models.Model) -> dict:
    """The audited values of a record in the admin: its concrete fields and its many-to-many links."""
    data = snapshot(obj)
    data.pop("password", None)  # a password hash never goes into the trail; its change is audited as such
    if obj.pk:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(str(pk) for pk in getattr(obj, field.name).values_list("pk", flat=True))
    return data


def _area(obj) -> str:
    return str(getattr(obj, "area_code", "") or getattr(obj, "region_id", "") or "")


def _overrides(cls, name: str) -> bool:
    """Whether a class between ``cls`` and ModelAdmin defines ``name`` (then it writes its own audit)."""
    for klass in cls.__mro__:
        if klass in (admin.ModelAdmin, admin.options.BaseModelAdmin, AuditedAdmin):
            return False
        if name in klass.__dict__:
            return True
    return False


class AuditedAdmin(admin.ModelAdmin):
    audits_writes = True
    #: Set by ``ensure_audited`` when the wrapped admin already audits that kind of write itself.
    audit_saves = True
    audit_delete_one = True
    audit_delete_many = True

    def save_model(self, request, obj, form, change):
        if self.audit_saves:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk else None
            request._audit_before = getattr(request, "_audit_before", {})
            request._audit_before[id(obj)] = state(stored) if stored is not None else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if self.audit_saves:
            obj = form.instance
            before = getattr(request, "_audit_before", {}).pop(id(obj), None)
            after = state(obj)
            if before != after:
                audit_record(actor=request.user, action="update" if change else "create", obj=obj, before=before,
                             after=after, area_code=_area(obj), source="admin")

    def save_formset(self, request, form, formset, change):
        deleted_states = [(f.instance, state(f.instance)) for f in getattr(formset, "deleted_forms", [])
                          if f.instance.pk]
        befores = {f.instance.pk: state(type(f.instance)._default_manager.get(pk=f.instance.pk))
                   for f in formset.initial_forms if f.instance.pk and f.has_changed()}
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_record(actor=request.user, action="create", obj=obj, before=None, after=state(obj),
                         area_code=_area(obj), source="admin")
        for obj, _fields in formset.changed_objects:
            audit_record(actor=request.user, action="update", obj=obj, before=befores.get(obj.pk),
                         after=state(obj), area_code=_area(obj), source="admin")
        for obj, before in deleted_states:
            audit_record(actor=request.user, action="delete", obj=obj, before=before, after=None,
                         area_code=_area(obj), source="admin")

    def delete_model(self, request, obj):
        if self.audit_delete_one:
            audit_record(actor=request.user, action="delete", obj=obj, before=state(obj), after=None,
                         area_code=_area(obj), source="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if self.audit_delete_many:
            for obj in queryset:
                audit_record(actor=request.user, action="delete", obj=obj, before=state(obj), after=None,
                             area_code=_area(obj), source="admin")
        super().delete_queryset(request, queryset)


def ensure_audited(site: admin.AdminSite) -> None:
    for model, model_admin in list(site._registry.items()):
        base = type(model_admin)
        if getattr(model_admin, "audits_writes", False):
            continue
        own_delete_many = _overrides(base, "delete_queryset")
        audited = type(f"Audited{base.__name__}", (AuditedAdmin, base), {
            "__module__": base.__module__,
            "audit_saves": not _overrides(base, "save_model"),
            "audit_delete_one": not _overrides(base, "delete_model"),
            "audit_delete_many": not own_delete_many,
        })
        site.unregister(model)
        site.register(model, audited)
