"""Form fields shared by the apps, and the form renderer (settings.FORM_RENDERER)."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.forms.renderers import BaseRenderer, DjangoTemplates
from django.template import TemplateDoesNotExist
from django.utils.functional import cached_property

from core import fiscal


class FiscalYearField(forms.Field):
    """A fiscal year typed as people write it (「令和2年度」, 「平成32年度」, 「2020」)."""

    widget = forms.TextInput(attrs={"inputmode": "text", "placeholder": "例:令和2年度 / 2020", "size": 16})
    default_error_messages = {"invalid": "年度が読めません。例:令和2年度、平成32年度、2020"}

    def __init__(self, *, min_year=None, max_year=None, **kwargs):
        self.min_year, self.max_year = min_year, max_year
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return fiscal.fy_era(value)
        return value

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return fiscal.parse_fiscal_year(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from error

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_year and value < self.min_year:
            raise forms.ValidationError(
                f"{fiscal.fy_label(self.min_year)}以降の年度を入力してください。", code="min_year"
            )
        if self.max_year and value > self.max_year:
            raise forms.ValidationError(
                f"{fiscal.fy_label(self.max_year)}以前の年度を入力してください。", code="max_year"
            )



class FormRenderer(BaseRenderer):
    """Forms and widgets drawn with Django's own Jinja2 form templates, which give the same
    markup as its Django-language ones several times faster (the sheet's edit form has about
    120 inputs), and our field row (templates/jinja2/forms/field.html). A template that only
    the Django template language has (the admin's widgets) is drawn with that."""

    field_template_name = "forms/field.html"

    def get_template(self, template_name):
        try:
            return self.jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)

    @cached_property
    def jinja2(self):
        from django.template.backends.jinja2 import Jinja2

        return Jinja2({
            "APP_DIRS": False,
            "DIRS": [settings.BASE_DIR / "templates" / "jinja2", Path(forms.__file__).parent / "jinja2"],
            "NAME": "akishima-forms",
            # A plain dict of the few templates: Jinja2's LRU cache takes a lock and
            # searches its queue on every lookup, hundreds of times a page.
            "OPTIONS": {"cache_size": -1},
        })

    @cached_property
    def django(self):
        return DjangoTemplates()
