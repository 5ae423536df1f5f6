"""Form fields shared by the apps."""

from django import forms

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

