"""Forms of the accounts pages: only the 監査ログ filter (sign-in uses Django's form)."""

from django import forms

from accounts.models import AuditKind


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
