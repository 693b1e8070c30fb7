"""The inputs rendered without templates write exactly what Django's widget templates write."""

import pytest
from django import forms

from binasehat.core import widgets

CASES = [
    ("plain", None, {}),
    ("n", 0, {"min": "0", "step": "1", "inputmode": "numeric"}),
    ("x", 12.5, {"step": "any", "required": True, "disabled": False}),
    ("q", 'a"b<c>&d\'e', {"placeholder": "<b>&\"", "data-x": 3}),
    ("id_field", "", {"id": "id_field", "autofocus": True}),
    ("v", 7, {"id": "id_v", "class": "small wide"}),
]


@pytest.mark.parametrize("fast, django_widget", [
    (widgets.NumberInput, forms.NumberInput), (widgets.HiddenInput, forms.HiddenInput),
    (widgets.TextInput, forms.TextInput)])
@pytest.mark.parametrize("name, value, attrs", CASES)
def test_same_html_as_django_templates(fast, django_widget, name, value, attrs):
    base = {"title": "judul"}
    ours = fast(attrs=base).render(name, value, attrs=attrs)
    theirs = django_widget(attrs=base).render(name, value, attrs=attrs)
    assert str(ours) == str(theirs)
    assert ours.__html__() == str(ours)  # safe HTML, not escaped again by a template


def test_bound_field_renders_the_fast_widget():
    class F(forms.Form):
        jumlah = forms.CharField(widget=widgets.NumberInput(attrs={"min": "0"}), initial="5")

    html = str(F()["jumlah"])
    assert html == '<input type="number" name="jumlah" value="5" min="0" required id="id_jumlah">'


class _DjangoForm(forms.Form):
    required_css_class = "wajib"
    jumlah = forms.CharField(label="Jumlah kasus")
    tanya = forms.CharField(label="Ada kasus?", required=False)
    kosong = forms.CharField(label="", required=False)
    tanpa_id = forms.CharField(label="Tanpa <id> & lain", widget=forms.TextInput(attrs={"id": ""}), required=False)


class _PlainForm(widgets.PlainLabels, _DjangoForm):
    pass


@pytest.mark.parametrize("field", ["jumlah", "tanya", "kosong", "tanpa_id"])
@pytest.mark.parametrize("auto_id", ["id_%s", False])
@pytest.mark.parametrize("kwargs", [{}, {"label_suffix": " —", "attrs": {"class": "x", "data-a": True}},
                                    {"tag": "legend"}, {"contents": "Isi <b>"}])
def test_label_tag_same_as_django_template(field, auto_id, kwargs):
    ours = _PlainForm(auto_id=auto_id)[field].label_tag(**kwargs)
    theirs = _DjangoForm(auto_id=auto_id)[field].label_tag(**kwargs)
    assert str(ours) == str(theirs)
