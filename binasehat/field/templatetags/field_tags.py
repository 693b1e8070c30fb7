from django import template

from binasehat.field.selectors import skdn_suggestion

register = template.Library()


@register.inclusion_tag("field/_skdn_suggestion.html", takes_context=True)
def skdn_suggested(context, posyandu, month):
    """The monthly record's figures computed from the children's weighings, with a button filling the form."""
    request = context["request"]
    return {"s": skdn_suggestion(request.user, posyandu, month.year, month.month), "month": month}
