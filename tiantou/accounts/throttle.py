"""Log-in throttling on top of django-axes.

Axes locks the pair (user name, IP address) after AXES_FAILURE_LIMIT failures, so that a
guesser elsewhere cannot lock a person out. Axes compares every lockout parameter with one
limit, which would refuse a whole bureau behind one NAT address after a few typos; this
handler also refuses an IP address whose failures across all user names reach the higher
TIANTOU_LOGIN_IP_FAILURE_LIMIT within AXES_COOLOFF_TIME.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def ip_failures(request: HttpRequest) -> int:
    """Failed log-ins from the request's IP address, under any user name, within the
    cool-off time."""
    ip_address = getattr(request, "axes_ip_address", None)
    if not ip_address:
        return 0
    total = AccessAttempt.objects.filter(
        ip_address=ip_address, attempt_time__gte=get_cool_off_threshold(request)
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def ip_is_throttled(request: HttpRequest) -> bool:
    """Whether the request's IP address has failed too often, whatever the user name."""
    return ip_failures(request) >= settings.TIANTOU_LOGIN_IP_FAILURE_LIMIT


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes's database handler, with the IP address refused once it passes its own limit."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        failures = super().get_failures(request, credentials)
        if ip_is_throttled(request):
            # Reported as the pair's limit: axes then locks and answers as for a lockout.
            return max(failures, get_failure_limit(request, credentials))
        return failures
