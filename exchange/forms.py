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


class PlanFileForm(forms.Form):
    """A plan file and the plan it goes into."""

    file = forms.FileField(
        label="ファイル", help_text="書き出した計画のファイル(.xlsx)、または体系の CSV(UTF-8 か Shift_JIS)",
        error_messages={"required": "取り込むファイルを選んでください。", "empty": "ファイルが空です。"},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    plan_code = forms.SlugField(
        label="取り込み先の計画コード", required=False, max_length=20,
        help_text="空欄なら、ファイルの「計画」シートの計画コードです。まだない計画コードなら新しい計画(策定中)を作り、"
                  "策定中の計画のコードならその計画を変更します。CSV では必ず入力します。",
        error_messages={"invalid": "計画コードは半角の英数字と「-」「_」で入力してください。",
                        "max_length": "計画コードは20文字以内で入力してください。"},
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and upload.name.lower().endswith(".csv") and not data.get("plan_code"):
            self.add_error("plan_code", "CSV(体系だけ)を取り込むときは、取り込み先の計画コードを入力してください。")
        return data
