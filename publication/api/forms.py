from django import forms

from accounts.models import User
from publication.api.services import NAME_LIMIT


class TokenForm(forms.Form):
    # A fresh random value per form shown: a second POST of the same form (the browser's
    # reload after the secret was shown) makes no second token (token_views.token_create).
    once = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    name = forms.CharField(label="トークンの名前", max_length=NAME_LIMIT,
                           help_text="用途が分かる名前(例:庁内集計スクリプト)。",
                           error_messages={"required": "トークンの名前を入力してください。"})


class TokenForUserForm(TokenForm):
    """情報推進課: a token for anyone active."""

    user = forms.ModelChoiceField(label="利用者", queryset=User.objects.filter(is_active=True).order_by("username"),
                                  error_messages={"required": "利用者を選んでください。",
                                                  "invalid_choice": "利用者を選び直してください。"})
