"""Forms of the accounts pages: sign-in and the 監査ログ filter."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from accounts.lockout import attempts_left
from accounts.models import AuditKind


class LoginForm(AuthenticationForm):
    """Django's sign-in form in the words of a city hall, saying how many attempts are
    left before the sign-in throttle (accounts.lockout) stops this user name here."""

    error_messages = {
        "invalid_login": "ユーザー名またはパスワードが違います。大文字と小文字は区別されます。",
        "inactive": "このアカウントは利用停止になっています。情報推進課に連絡してください。",
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].error_messages["required"] = "ユーザー名を入力してください。"
        self.fields["password"].error_messages["required"] = "パスワードを入力してください。"

    def get_invalid_login_error(self):
        error = super().get_invalid_login_error()
        left = attempts_left(self.request, self.cleaned_data.get("username", ""))
        if left is None or left <= 0:
            return error
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        return forms.ValidationError(
            [*error.error_list, forms.ValidationError(
                f"あと {left} 回続けて間違えると、{minutes} 分間このユーザー名ではログインできなくなります。",
                code="attempts_left")])


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label="種類", required=False, choices=[("", "(すべて)"), *AuditKind.choices])
    username = forms.CharField(label="ユーザー名", required=False, max_length=150)
    ip_address = forms.GenericIPAddressField(label="IPアドレス", required=False)
    date_from = forms.DateField(label="期間(から)", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="期間(まで)", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "終わりの日は始めの日以降にしてください。")
        return data

    def filter(self, entries):
        """The entries that match the valid filters (all entries when none are given)."""
        if not self.is_bound or not self.is_valid():
            return entries
        data = self.cleaned_data
        if data["kind"]:
            entries = entries.filter(kind=data["kind"])
        if data["username"]:
            entries = entries.filter(username__icontains=data["username"])
        if data["ip_address"]:
            entries = entries.filter(ip_address=data["ip_address"])
        if data["date_from"]:
            entries = entries.filter(occurred_at__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(occurred_at__date__lte=data["date_to"])
        return entries
