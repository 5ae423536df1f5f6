"""監査ログ: the one place that writes accounts.AuditEntry."""

from accounts.models import AuditEntry, User


def client_address(request):
    """The client's address as the sign-in throttle sees it (behind the TLS proxy,
    the address the proxy appended), or None without a request."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


def record(kind, *, request=None, user=None, username="", detail=""):
    """Write one entry. Never stores a password: callers pass the user name only."""
    if user is not None and not user.is_authenticated:
        user = None
    if user is None and username:
        # A failed sign-in or a lockout of a real account names its owner in the log.
        user = User.objects.filter(username=username).first()
    return AuditEntry.objects.create(
        kind=kind,
        user=user,
        username=(username or (user.get_username() if user else ""))[:150],
        ip_address=client_address(request),
        path=(request.get_full_path() if request is not None else "")[:300],
        detail=detail[:300],
    )
