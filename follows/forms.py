from django import forms


class FollowSettingsForm(forms.Form):
    send_mail = forms.BooleanField(label="フォロー中の事業のお知らせをメールでも受け取る", required=False)
