"""The form renderer (core.forms.FormRenderer): Django's widgets through Jinja2, our field
row, the admin's widgets through the Django template language, everything escaped."""

import pytest
from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import get_default_renderer
from django.template.backends.django import Template as DjangoTemplate
from django.template.backends.jinja2 import Template as JinjaTemplate

from core.forms import FormRenderer

pytestmark = pytest.mark.db_agnostic  # rendering only

HOSTILE = '<script>alert("x")</script>'


class HostileForm(forms.Form):
    name = forms.CharField(label=f"名前{HOSTILE}", help_text=f"説明{HOSTILE}", max_length=3)
    note = forms.CharField(widget=forms.Textarea, required=False)


def test_every_form_is_drawn_by_our_renderer():
    assert isinstance(get_default_renderer(), FormRenderer)
    assert isinstance(HostileForm().renderer, FormRenderer)


def test_django_widgets_come_from_jinja2_and_the_admins_from_the_django_language():
    renderer = FormRenderer()
    assert isinstance(renderer.get_template("django/forms/widgets/input.html"), JinjaTemplate)
    assert isinstance(renderer.get_template("forms/field.html"), JinjaTemplate)
    assert isinstance(renderer.get_template("admin/widgets/related_widget_wrapper.html"), DjangoTemplate)


def test_the_field_row_escapes_label_help_value_and_errors():
    form = HostileForm(data={"name": HOSTILE, "note": HOSTILE})
    assert not form.is_valid()
    form.add_error("name", f"誤り{HOSTILE}")
    html = str(form["name"].as_field_group()) + str(form["note"].as_field_group())
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") >= 5  # label, help, value, the error, the textarea
    assert '<label for="id_name">' in html and 'role="alert"' in html
    # The input names its help and its errors for screen readers.
    assert 'aria-invalid="true" aria-describedby="id_name_helptext id_name_error"' in html


def test_an_admin_widget_still_renders():
    html = AdminDateWidget().render("day", "2026-04-01", attrs={"id": "id_day"})
    assert 'class="vDateField"' in html and 'value="2026-04-01"' in html
