"""Configuration a national administrator may change: round thresholds, basis and prerequisites, the disputed
Desa Siaga cells, and the OPD with their users. Districts' own writes go through the pages (services, audited)."""

from django.contrib import admin

from .models import Institution, KksIndicator, KksRound, KksTatanan, RuleParameter


class TatananInline(admin.TabularInline):
    model = KksTatanan
    extra = 0


@admin.register(KksRound)
class KksRoundAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "score_basis", "thresholds", "odf_min", "require_basic_documents")
    inlines = [TatananInline]


@admin.register(KksIndicator)
class KksIndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tatanan", "verified")
    list_filter = ("tatanan__round", "verified")


@admin.register(RuleParameter)
class RuleParameterAdmin(admin.ModelAdmin):
    list_display = ("ruleset_code", "key", "value", "changed_by", "changed_at")


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "district")
    filter_horizontal = ("members",)
