"""`Authorization: Bearer <token>`: the API's only way to sign in (no session, so no CSRF).
Without the header the caller is anonymous and reads published data only; a header
with an unknown, revoked or malformed token, or a token of a user no longer active, is
refused with 401 (never silently treated as anonymous)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from publication.api import services

KEYWORD = "Bearer"
REFUSED = "API トークンが無効です(失効したトークン、利用停止中の利用者のトークン、または誤ったトークンです)。"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Authorization ヘッダーは「Bearer <トークン>」の形で送ってください。")
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(REFUSED) from None
        token = services.find_token(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(REFUSED)
        services.record_use(token=token, request=request)
        return token.user, token

    def authenticate_header(self, request):
        # Makes DRF answer 401 (with this challenge), not 403, when authentication fails.
        return f'{KEYWORD} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "職員が「API トークン」のページで作成したトークン(akict_ で始まる文字列)。"}
