from django.contrib import admin

from .models import Level, Skill, SkillGroup


@admin.register(SkillGroup)
class SkillGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("code", "group", "name", "placeholder")
    list_filter = ("group", "placeholder")


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order", "required_groups", "min_groups")
