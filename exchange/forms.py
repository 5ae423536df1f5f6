"""The upload form: a file, and for a CSV which resource it holds."""

from django import forms

from exchange.services import resource_choices


class UploadForm(forms.Form):
    file = forms.FileField(
        label="ファイル", help_text="Excel ブック(.xlsx)、または CSV(UTF-8 か Shift_JIS)",
        error_messages={"required": "取り込むファイルを選んでください。", "empty": "ファイルが空です。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    resource = forms.ChoiceField(
        label="CSV の内容", required=False, choices=[("", "(xlsx では不要)"), *resource_choices(importable=True)],
        help_text="CSV は1つのシートの内容だけを持つので、どのシートかを選びます。",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and upload.name.lower().endswith(".csv") and not data.get("resource"):
            self.add_error("resource", "CSV を取り込むときは、取り込む内容を選んでください。")
        return data
