from django import forms

from publication.models import REASON_LIMIT


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="取下げの理由", max_length=REASON_LIMIT, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "取下げの理由を入力してください。"},
    )
