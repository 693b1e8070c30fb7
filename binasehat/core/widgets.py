"""Form inputs rendered without the template engine.

Django renders every widget through its form templates (``input.html`` including ``attrs.html``): three
template renders per field. A data-entry form of a dozen elements spent most of its time there. These inputs
write the same HTML as Django's templates (attribute order, ``True`` as a bare attribute, ``False`` left out,
the value only when there is one), escaped by ``format_html``.
"""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join


def _attributes(attrs: dict):
    """What ``django/forms/attrs.html`` writes: `` name="value"``, a bare name for True, nothing for False."""
    return format_html_join("", " {}{}", ((key, "" if val is True else format_html('="{}"', str(val)))
                                          for key, val in attrs.items() if val is not False))


class PlainRendering:
    """Mixin for an ``<input>`` widget: ``render`` builds the tag directly."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value_part = format_html(' value="{}"', str(widget["value"])) if widget["value"] is not None else ""
        return format_html('<input type="{}" name="{}"{}{}>', widget["type"], widget["name"], value_part,
                           _attributes(widget["attrs"]))


class PlainLabels:
    """Mixin for a form: ``label_tag`` writes its ``<label>`` directly instead of rendering
    ``django/forms/label.html`` (Django computes the same context: text with its suffix, attributes, tag)."""

    def render(self, template_name=None, context=None, renderer=None):
        if template_name == self.template_name_label and context is not None:
            if not context["use_tag"]:
                return format_html("{}", context["label"])
            return format_html("<{}{}>{}</{}>", context["tag"], _attributes(context["attrs"] or {}),
                               context["label"], context["tag"])
        return super().render(template_name, context, renderer)


class NumberInput(PlainRendering, forms.NumberInput):
    pass


class HiddenInput(PlainRendering, forms.HiddenInput):
    pass


class TextInput(PlainRendering, forms.TextInput):
    pass
