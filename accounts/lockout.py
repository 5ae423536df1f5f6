"""Sign-in throttling on top of django-axes.

- Failures count per user name and address together (AXES_LOCKOUT_PARAMETERS),
  so one person's typos never lock a whole office that shares one NAT address.
- A higher ceiling per user name alone (LOGIN_USERNAME_FAILURE_LIMIT) stops a
  slow guess of one account spread over many addresses.
- The lockout page says, in local time, from when the person may try again.
"""

from django.conf import settings
from django.db.models import Max, Sum
from django.shortcuts import render
from django.utils import timezone

from axes.attempts import get_cool_off_threshold
from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses sign-ins while locked out; authenticates nobody itself."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            # Not a sign-in over the web (a management command or a script):
            # there is no address to throttle, and axes would raise.
            return None
        try:
            return super().authenticate(request, username, password, **kwargs)
        except AxesBackendPermissionDenied:
            request.login_throttle_refused = True
            raise


class LoginThrottleHandler(AxesDatabaseHandler):
    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or self.username_ceiling_reached(
            request, credentials
        )

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        if self.username_ceiling_reached(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def username_ceiling_reached(self, request, credentials=None):
        username = get_client_username(request, credentials)
        if not username:
            return False
        failures = AccessAttempt.objects.filter(
            username=username, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        return (failures or 0) >= settings.LOGIN_USERNAME_FAILURE_LIMIT


def attempts_left(request, username):
    """How many more failures this user name may have from this address before it is
    locked out (either limit), counting the failures already recorded; None without
    a request."""
    if request is None or not username or getattr(request, "axes_ip_address", None) is None:
        return None
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=get_cool_off_threshold(request))
    here = recent.filter(ip_address=request.axes_ip_address).aggregate(n=Sum("failures_since_start"))["n"] or 0
    anywhere = recent.aggregate(n=Sum("failures_since_start"))["n"] or 0
    return min(settings.AXES_FAILURE_LIMIT - here, settings.LOGIN_USERNAME_FAILURE_LIMIT - anywhere)


def retry_time(request, credentials=None):
    """When the lock on this user name lifts: the cool-off after the last failure."""
    username = get_client_username(request, credentials)
    last = AccessAttempt.objects.filter(username=username).aggregate(last=Max("attempt_time"))
    return (last["last"] or timezone.now()) + get_cool_off(request)


def lockout_response(request, original_response=None, credentials=None):
    """The Japanese lockout page (AXES_LOCKOUT_CALLABLE), HTTP 429."""
    retry_at = timezone.localtime(retry_time(request, credentials))
    return render(request, "registration/locked_out.html", {
        "retry_at": retry_at,
        "retry_today": retry_at.date() == timezone.localdate(),
    }, status=429)
