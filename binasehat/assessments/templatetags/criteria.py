from django import template

from binasehat.assessments import criteria

register = template.Library()


def _definition(ruleset):
    return getattr(ruleset, "definition", ruleset)


@register.filter
def requirement(criterion, ruleset=None):
    return criteria.requirement(criterion, _definition(ruleset))


@register.filter
def actual(criterion, ruleset=None):
    return criteria.actual(criterion, _definition(ruleset))


@register.filter
def sentence(criterion, ruleset=None):
    return criteria.sentence(criterion, _definition(ruleset))
