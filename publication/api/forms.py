from django import forms

from accounts.models import User
from publication.api.services import NAME_LIMIT


class TokenForm(forms.Form):
    name = forms.CharField(label="トークンの名前", max_length=NAME_LIMIT,
                           help_text="用途が分かる名前(例:庁内集計スクリプト)。",
                           error_messages={"required": "トークンの名前を入力してください。"})


class TokenForUserForm(TokenForm):
    """情報推進課: a token for anyone active."""

    user = forms.ModelChoiceField(label="利用者", queryset=User.objects.filter(is_active=True).order_by("username"),
                                  error_messages={"required": "利用者を選んでください。",
                                                  "invalid_choice": "利用者を選び直してください。"})
