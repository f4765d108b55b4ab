"""Start-up checks of the core settings (run by `manage.py check`, `migrate`, `runserver`)."""

from typing import Any

from django.core.checks import Error, register

from . import audit


@register()
def audit_retention_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Refuse an audit retention period shorter than the legal minimum."""
    from .services import retention_too_short_message

    try:
        days = audit.retention_days()
    except (TypeError, ValueError):
        days = 0
    if days >= audit.MIN_RETENTION_DAYS:
        return []
    return [Error(retention_too_short_message(days), id="tiantou.E001")]
