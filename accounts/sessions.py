"""Session engine: Django's database sessions, with the user's id in its own
column (accounts.UserSession) so that deactivating a user can end their sessions
with one DELETE instead of decoding every session.

The idle timeout is a sliding expiry: a request pushes the session's end back to
SESSION_IDLE_TIMEOUT from now. Writing the session on every request would cost a
database write per page view, so a session is written again only once its stored
end is more than SESSION_RENEW_AFTER seconds old (accounts.middleware); the
warning script is told the real end (`seconds_left`), not an estimate.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.utils import timezone


class SessionStore(DBStore):
    # When the stored session ends, as read by this request (None: nothing stored yet).
    stored_expiry = None

    @classmethod
    def get_model_class(cls):
        from accounts.models import UserSession

        return UserSession

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self.stored_expiry = session.expire_date if session else None
        return session

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            session.user_id = None
        return session

    def due_for_renewal(self) -> bool:
        """True when this request should write the session to push its end back."""
        if self.stored_expiry is None:
            return False
        full_end = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
        return full_end - self.stored_expiry > timedelta(seconds=settings.SESSION_RENEW_AFTER)

    def seconds_left(self) -> int:
        """Seconds until the session ends after this request (the full idle timeout
        when this request writes it)."""
        if self.modified or self.stored_expiry is None or self.due_for_renewal():
            return settings.SESSION_COOKIE_AGE
        return max(0, int((self.stored_expiry - timezone.now()).total_seconds()))
