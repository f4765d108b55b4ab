"""Reads of the core tables: the audit log for auditors, earlier uploads of a file."""

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from . import regioncodes
from .models import AuditEntry, ImportRecord, ImportStatus

AUDIT_PERMISSION = "core.view_auditentry"


def audit_entries_visible_to(actor) -> QuerySet[AuditEntry]:
    """The audit entries `actor` may read: those placed inside a region where the actor
    holds the audit permission (superusers: every entry, also those placed nowhere)."""
    from tiantou.accounts.roles import ROLE_PERMISSIONS
    from tiantou.accounts.scoping import memberships_of

    entries = AuditEntry.objects.select_related("actor", "content_type")
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return entries.none()
    if actor.is_superuser:
        return entries
    q = Q(pk__in=[])
    for m in memberships_of(actor):
        if m.organisation_id or AUDIT_PERMISSION not in ROLE_PERMISSIONS.get(m.role, ()):
            continue
        q |= Q(region_code__range=regioncodes.subtree_range(m.region_id, m.region.level))
    return entries.filter(q)


def audit_entries_between(
    entries: QuerySet[AuditEntry], *, since: date | None = None, until: date | None = None
) -> QuerySet[AuditEntry]:
    """Entries written on the days from `since` to `until` (both included, local time)."""
    if since is not None:
        entries = entries.filter(at__gte=_start_of(since))
    if until is not None:
        entries = entries.filter(at__lt=_start_of(until + timedelta(days=1)))
    return entries


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def import_earlier(*, kind: str, file_sha256: str, rows_sha256: str) -> ImportRecord | None:
    """The latest saved import of the same file or of the same rows, if any."""
    same = Q(file_sha256=file_sha256)
    if rows_sha256:
        same |= Q(rows_sha256=rows_sha256)
    return (
        ImportRecord.objects.filter(same, kind=kind, status=ImportStatus.DONE)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
