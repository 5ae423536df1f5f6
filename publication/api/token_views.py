"""The API トークン page (/api/tokens/): everyone signed in makes and revokes their own
tokens; 情報推進課 sees everyone's, makes tokens for anyone and revokes any. The secret is
shown once, in the answer to the POST that made it (never stored, never redirected)."""

import secrets

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.permissions import is_ict_office
from publication.api import services
from publication.api.forms import TokenForm, TokenForUserForm
from publication.api.models import ApiToken

LISTED = 200
ONCE_SECONDS = 24 * 60 * 60


def _page(request, form, *, created=None, secret=None, status=200):
    tokens = (ApiToken.objects.manageable_by(request.user)
              .select_related("user", "created_by", "revoked_by")[:LISTED])
    return render(request, "publication/api/token_list.html", {
        "tokens": tokens, "form": form, "created": created, "secret": secret,
        "for_anyone": is_ict_office(request.user),
    }, status=status)


def _form(request, data=None):
    form_class = TokenForUserForm if is_ict_office(request.user) else TokenForm
    if data is not None:
        return form_class(data)
    # 情報推進課 makes its own tokens most of the time: the form starts on itself.
    return form_class(initial={"once": secrets.token_urlsafe(16), "user": request.user.pk})


@require_safe
def token_list(request):
    return _page(request, _form(request))


@require_POST
def token_create(request):
    form = _form(request, request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    owner = form.cleaned_data.get("user") or request.user
    once = form.cleaned_data["once"]
    if once and not cache.add(f"api-token-form:{request.user.pk}:{once}", True, ONCE_SECONDS):
        messages.error(request, "このフォームからはトークンを作成済みです(もう一度は作成しません)。"
                                "トークンは作成したときにしか表示できません。なくした場合は失効させて作り直してください。")
        return redirect("api:token_list")
    try:
        token, secret = services.create_token(actor=request.user, owner=owner, name=form.cleaned_data["name"],
                                              request=request)
    except services.TokenError as error:
        form.add_error(None, str(error))
        return _page(request, form, status=400)
    return _page(request, _form(request), created=token, secret=secret)


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken.objects.manageable_by(request.user).select_related("user"), pk=pk)
    try:
        services.revoke_token(actor=request.user, token=token, request=request)
    except services.TokenError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"トークン{token}を失効させました。このトークンではもう API を使えません。")
    return redirect("api:token_list")
