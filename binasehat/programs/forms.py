"""The entry form of one data set: one number per data element, checked by the same rules as the imports."""

from __future__ import annotations

from django import forms

from binasehat.core import widgets

from .models import DataElement, DataValue
from .services import InvalidValue, parse_value


def _plain_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class EntryForm(widgets.PlainLabels, forms.Form):
    """Fields are named by element code and prefilled with the stored values; an empty field means "no value"
    (a stored one is deleted). ``cleaned_data[code]`` is the parsed number or None."""

    #: Hidden field carrying the version of an element's value the form showed (0: nothing stored).
    VERSION_PREFIX = "version__"

    def __init__(self, *args, elements: list[DataElement], stored: dict[str, DataValue],
                 versions: dict[str, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = elements
        versions = versions or {}
        for element in elements:
            self.fields[self.VERSION_PREFIX + element.code] = forms.IntegerField(
                required=False, min_value=0, initial=versions.get(element.code, 0), widget=widgets.HiddenInput)
            integer = element.value_type == DataElement.ValueType.INTEGER
            old = stored.get(element.code)
            self.fields[element.code] = forms.CharField(
                label=element.display_name, required=False, help_text=element.description,
                initial=_plain_number(old.value) if old is not None else "",
                widget=widgets.NumberInput(attrs={
                    "min": "0", "step": "1" if integer else "any", "inputmode": "numeric" if integer else "decimal",
                }),
            )

    def version_of(self, element: DataElement) -> int | None:
        """The version the form showed (None: posted without it, by a program rather than this form)."""
        return self.cleaned_data.get(self.VERSION_PREFIX + element.code)

    def clean(self):
        data = super().clean()
        for element in self.elements:
            try:
                data[element.code] = parse_value(element, self.data.get(element.code, ""))
            except InvalidValue as exc:
                self.add_error(element.code, str(exc))
        return data


class ValidationRuleForm(forms.ModelForm):
    """The editable fields of a validation rule (``services.RULE_FIELDS``); the code only when creating."""

    class Meta:
        from .models import ValidationRule

        model = ValidationRule
        fields = ["code", "name", "name_en", "instruction", "importance", "period_type", "left_expression",
                  "left_description", "left_missing", "operator", "right_expression", "right_description",
                  "right_missing", "active"]
        widgets = {"instruction": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["code"]

    def validate_unique(self):
        """Uniqueness of the code is checked by the service."""
