"""Every write of reports: generate a draft from the data, edit a paragraph, issue a frozen
version, regenerate, and the year's settings."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tiantou.accounts.models import User
from tiantou.accounts.permissions import ensure_can
from tiantou.core import audit, regioncodes
from tiantou.core.models import AuditAction
from tiantou.core.periods import Period
from tiantou.core.services import apply_changes, check_version, create_audited
from tiantou.indicators.engine import Scope
from tiantou.regions.models import Region

from . import kinds
from .document import CHART, GAP, HEADING, ITEMS, TABLE, Document
from .models import Report, ReportSetting, ReportVersion


def _kind_for(kind_key: str, region: Region, period: Period) -> kinds.ReportKind:
    try:
        kind = kinds.get(kind_key)
    except KeyError:
        raise ValidationError({"kind": _("There is no such kind of report.")}) from None
    if regioncodes.level_of(region.code) not in kind.levels:
        message = _("A “%(kind)s” is not written for a region of this level.")
        raise ValidationError({"region": message % {"kind": kind.name}})
    if period.kind not in kind.periods:
        message = _("A “%(kind)s” is not written for this kind of period.")
        raise ValidationError({"period": message % {"kind": kind.name}})
    return kind


def report_generate(
    *,
    actor: User,
    kind: str,
    region: Region,
    period: Period,
    today: datetime.date | None = None,
) -> Report:
    """Write a new draft of a kind for a region and period from the data."""
    ensure_can(actor, "reports.add_report", region)
    report_kind = _kind_for(kind, region, period)
    document = report_kind.make(scope=Scope(region=region), period=period, today=today)
    with transaction.atomic():
        report = Report(
            kind=kind,
            region=region,
            period=period.key,
            title=document.title,
            draft=document.to_json(),
            generated_at=timezone.now(),
            created_by=actor,
        )
        return create_audited(actor=actor, obj=report)


def report_regenerate(
    *,
    actor: User,
    report: Report,
    expected_version: int | None = None,
    today: datetime.date | None = None,
) -> Report:
    """Write the draft again from today's data (edits of the draft are replaced). Issued
    versions are never touched."""
    ensure_can(actor, "reports.change_report", report)
    period = Period.parse(report.period)
    document = kinds.get(report.kind).make(
        scope=Scope(region=report.region), period=period, today=today
    )
    with transaction.atomic():
        apply_changes(
            actor=actor,
            obj=report,
            changes={
                "draft": document.to_json(),
                "title": document.title,
                "generated_at": timezone.now(),
            },
            expected_version=expected_version,
            note=_("Written again from the data"),
        )
    return report


def block_edit(
    *, actor: User, report: Report, block_id: str, text: str, expected_version: int | None = None
) -> Report:
    """Change the words of one heading, paragraph or list (one item a line) of the draft.

    Figures whose words are still in the text stay linked to their records; numbers typed
    by hand are the writer's own words and link nowhere.
    """
    ensure_can(actor, "reports.change_report", report)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something, or regenerate the draft.")})
    document = Document.from_json(report.draft)
    try:
        block = document.block(block_id)
    except KeyError:
        raise ValidationError(_("This part of the report no longer exists.")) from None
    if block.kind in (TABLE, CHART):
        message = _("Tables and charts are written from the data and cannot be edited.")
        raise ValidationError(message)
    if block.kind == ITEMS:
        block.items = [line.strip() for line in text.splitlines() if line.strip()]
    elif block.kind == HEADING:
        block.text = text.replace("\n", " ")
    else:
        block.text = text
    if block.kind == GAP:
        block.kind = "paragraph"  # filled in by hand: no longer a gap
    block.edited = True
    block.figures = [f for f in block.figures if f.text and f.text in block.full_text]
    with transaction.atomic():
        apply_changes(
            actor=actor,
            obj=report,
            changes={"draft": document.to_json()},
            expected_version=expected_version,
            note=_("Edited a paragraph"),
        )
    return report


def report_issue(
    *, actor: User, report: Report, expected_version: int | None = None
) -> ReportVersion:
    """Freeze the draft's text and figures as the next numbered version."""
    ensure_can(actor, "reports.issue_report", report)
    document = Document.from_json(report.draft)
    gaps = [b for b in document.blocks if b.kind == GAP]
    with transaction.atomic():
        check_version(report, expected_version)
        number = (report.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = ReportVersion(
            report=report,
            number=number,
            title=document.title,
            content=document.to_json(),
            issued_by=actor,
        )
        version.save()
        audit.record(
            actor=actor,
            obj=report,
            action=AuditAction.OTHER,
            note=_("Issued version %(n)s (%(gaps)s gaps marked)")
            % {"n": number, "gaps": len(gaps)},
        )
    return version


def setting_save(
    *,
    actor: User,
    region: Region,
    year: int,
    guiding_ideology: str,
    issuer: str,
    expected_version: int | None = None,
) -> ReportSetting:
    """Set a year's guiding-ideology phrase and issuing body for a region's reports."""
    ensure_can(actor, "reports.change_report", region)
    with transaction.atomic():
        setting = ReportSetting.objects.filter(region=region, year=year).first()
        if setting is None:
            return create_audited(
                actor=actor,
                obj=ReportSetting(
                    region=region,
                    year=year,
                    guiding_ideology=guiding_ideology.strip(),
                    issuer=issuer.strip(),
                ),
            )
        apply_changes(
            actor=actor,
            obj=setting,
            changes={"guiding_ideology": guiding_ideology.strip(), "issuer": issuer.strip()},
            expected_version=expected_version,
        )
        return setting
