"""Making, revoking and using API tokens: the only writes of the API.

A token is `akict_` and 43 random URL-safe characters (secrets.token_urlsafe(32),
256 bits); the database keeps its SHA-256 hash and its first characters only, so a
copy of the database (or a backup) gives nobody a usable token. The secret is returned
once by create_token and shown once on the page.

Use is recorded for attribution without a database write per request: every request
with a token is logged (logger "publication.api": user, token, method, path, address),
and the 監査ログ gets one entry per token per USE_RECORD_SECONDS (the first request of
that minute, with its path), written together with last_used_at by one conditional
UPDATE so that concurrent requests record it once."""

import hashlib
import logging
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.models import AuditKind, User
from accounts.permissions import is_ict_office
from publication.api.models import ApiToken

PREFIX = "akict_"
USE_RECORD_SECONDS = 60
NAME_LIMIT = 100

logger = logging.getLogger("publication.api")


class TokenError(Exception):
    """A refusal; the message is Japanese and is shown to the user."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_manager(actor, owner):
    if not (actor.is_authenticated and actor.is_active):
        raise TokenError("ログインしてください。")
    if actor.pk != owner.pk and not is_ict_office(actor):
        raise TokenError("他の人のトークンを作成・失効できるのは情報推進課だけです。")


def create_token(*, actor: User, owner: User, name: str, request=None) -> tuple[ApiToken, str]:
    """A new token of `owner` (the actor themself, or anyone for 情報推進課): (token, secret)."""
    _require_manager(actor, owner)
    name = (name or "").strip()
    if not name:
        raise TokenError("トークンの名前を入力してください(用途が分かる名前)。")
    if len(name) > NAME_LIMIT:
        raise TokenError(f"トークンの名前は{NAME_LIMIT}文字以内で入力してください。")
    if not owner.is_active:
        raise TokenError(f"{owner.display_name}さんは利用停止中です。トークンは作成できません。")
    secret = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(user=owner, name=name, key_hash=hash_secret(secret), prefix=secret[:len(PREFIX) + 4],
                         created_by=actor)
        token.full_clean()
        token.save()
        audit.record(AuditKind.API_TOKEN_CREATED, request=request, user=owner,
                     detail=f"API トークン {token}を{actor.get_username()}が作成")
    return token, secret


def revoke_token(*, actor: User, token: ApiToken, request=None) -> ApiToken:
    """Revoke a token at once (the owner, or 情報推進課 for anyone's); it is kept, refused."""
    _require_manager(actor, token.user)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if token.revoked_at is not None:
            raise TokenError(f"トークン{token}は既に失効しています。")
        token.revoked_at, token.revoked_by = timezone.now(), actor
        token.full_clean()
        token.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(AuditKind.API_TOKEN_REVOKED, request=request, user=token.user,
                     detail=f"API トークン {token}を{actor.get_username()}が失効")
    return token


def find_token(secret: str) -> ApiToken | None:
    """The active token of an active user with this secret, or None."""
    if not secret.startswith(PREFIX):
        return None
    return (ApiToken.objects.active().select_related("user")
            .filter(key_hash=hash_secret(secret), user__is_active=True).first())


def record_use(*, token: ApiToken, request) -> None:
    """Log this request, and at most once a minute per token write last_used_at and a 監査ログ entry."""
    logger.info("API token use: user=%s token=%s method=%s path=%s address=%s", token.user.get_username(),
                token.pk, request.method, request.get_full_path(), audit.client_address(request))
    now = timezone.now()
    last = token.last_used_at
    if last is not None and now - last < timedelta(seconds=USE_RECORD_SECONDS):
        return
    with transaction.atomic():
        claimed = ApiToken.objects.filter(pk=token.pk, last_used_at=last).update(last_used_at=now)
        if claimed:  # another request of the same minute may have claimed it first
            audit.record(AuditKind.API_ACCESS, request=request, user=token.user, detail=f"API トークン {token}")
    token.last_used_at = now
