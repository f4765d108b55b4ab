"""Pages of the oversight of cadres: work reports, spot checks, discipline and training.

Objects are fetched through the oversight selectors (404 outside scope), rights are
checked with `ensure_can` (403), and every write goes through `oversight/services.py`.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core.views import AuthedRequest, errors_to_messages, form_view, year_asked
from tiantou.people.selectors import has_person

from ..choices import DisciplineLevel, RecipientKind
from ..models import TrainingRecord, WorkReport
from . import selectors, services
from .forms import (
    DisciplineOpenForm,
    DrawForm,
    MarkReadForm,
    ReasonForm,
    SpotCheckRecordForm,
    TrainingForm,
    WorkReportForm,
)


def _nav(user) -> dict:
    """What the oversight tabs may link to for this user."""
    return {
        "is_cadre": has_person(user),
        "recipients": [RecipientKind(kind) for kind in selectors.recipients_for(user)],
        "checks": has_perm(user, "ledger.view_spotcheckdraw"),
        "cases": has_perm(user, "ledger.view_disciplinecase"),
        "training": has_perm(user, "ledger.view_trainingrecord"),
    }


# ---- overview ----


@login_required
def oversight_home(request):
    """Where the oversight of cadres starts: the user's reports, inboxes and registers."""
    user = request.user
    ensure_can(user, "ledger.view_workreport")
    return render(request, "ledger/report_oversight.html", {"nav": _nav(user)})


# ---- work reports ----


@login_required
def report_mine(request):
    """The cadre's report slots, each to write, go on with or read back."""
    context = {
        "has_person": has_person(request.user),
        "rows": selectors.my_report_slots(user=request.user),
        "nav": _nav(request.user),
    }
    return render(request, "ledger/report_mine.html", context)


@login_required
def report_write(request: AuthedRequest, posting_pk: int, year: int, number: int) -> HttpResponse:
    """Write one's report for a slot; "save" keeps a draft, "submit" sends it."""
    posting = selectors.my_posting_get(user=request.user, pk=posting_pk)
    slots = dict(selectors.reports_due(posting, year))
    if number not in slots:
        raise Http404
    report = selectors.work_report_for_slot(posting=posting, year=year, number=number)
    if report is not None and report.submitted_at:
        return redirect("ledger:report_detail", pk=report.pk)
    initial = {name: getattr(report, name) for name in services.REPORT_SECTIONS} if report else {}
    initial["version"] = report.version if report else None
    form = WorkReportForm(request.POST or None, initial=initial)
    submit = "submit" in request.POST

    def save() -> WorkReport:
        data = form.cleaned_data
        return services.work_report_save(
            actor=request.user,
            posting=posting,
            year=year,
            number=number,
            submit=submit,
            expected_version=data["version"],
            **{name: data[name] for name in services.REPORT_SECTIONS},
        )

    def next_page(saved: WorkReport) -> str:
        if submit:
            return reverse("ledger:report_detail", args=[saved.pk])
        return reverse(
            "ledger:report_write",
            kwargs={"posting_pk": posting.pk, "year": year, "number": number},
        )

    return form_view(
        request,
        form=form,
        save=save,
        success_message=_("Your report has been submitted.") if submit else _("Draft saved."),
        success_url=next_page,
        template="ledger/report_form.html",
        context={
            "posting": posting,
            "year": year,
            "number": number,
            "due_on": slots[number],
            "report": report,
        },
    )


@login_required
def report_detail(request, pk: int):
    """One report: its four sections, who has read it, and a mark for each recipient the
    user reads for."""
    report = selectors.work_report_get(user=request.user, pk=pk)
    is_author = report.posting.person.user_id == request.user.pk
    if not is_author:
        ensure_can(request.user, "ledger.view_workreport", report)
    reads = {read.recipient: read for read in report.reads.all()}
    recipients = [
        {
            "kind": kind,
            "label": RecipientKind(kind).label,
            "read": reads.get(kind),
            "can_mark": bool(report.submitted_at)
            and kind not in reads
            and selectors.can_read_as(request.user, report.posting, kind),
        }
        for kind in RecipientKind.values
    ]
    context = {
        "report": report,
        "recipients": recipients,
        "is_author": is_author,
        "history": audit_history(request.user, report),
    }
    return render(request, "ledger/report_detail.html", context)


@login_required
@require_POST
def report_mark_read(request, pk: int):
    """Mark a report read for one recipient."""
    report = selectors.work_report_get(user=request.user, pk=pk)
    ensure_can(request.user, "ledger.read_workreport", report)
    form = MarkReadForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a recipient."))
        return redirect("ledger:report_detail", pk=report.pk)
    try:
        services.work_report_mark_read(
            actor=request.user, report=report, recipient=form.cleaned_data["recipient"]
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Marked read."))
    return redirect("ledger:report_detail", pk=report.pk)


@login_required
def report_inbox(request):
    """A recipient's inbox: reports overdue per cadre and reports not yet read."""
    user = request.user
    ensure_can(user, "ledger.read_workreport")
    kinds = selectors.recipients_for(user)
    if not kinds:
        raise PermissionDenied(_("You do not read work reports for any recipient."))
    recipient = request.GET.get("recipient") or kinds[0]
    if recipient not in kinds:
        recipient = kinds[0]
    context = {
        "tabs": [{"kind": kind, "label": RecipientKind(kind).label} for kind in kinds],
        "recipient": recipient,
        "recipient_label": RecipientKind(recipient).label,
        **selectors.report_inbox(user=user, recipient=recipient),
        "nav": _nav(user),
    }
    return render(request, "ledger/report_inbox.html", context)


# ---- spot checks ----


@login_required
def spotcheck_list(request):
    """The draws in the user's scope, newest first."""
    ensure_can(request.user, "ledger.view_spotcheckdraw")
    context = {
        "draws": list(selectors.draw_list(user=request.user)[:100]),
        "can_draw": has_perm(request.user, "ledger.draw_spotcheck"),
        "nav": _nav(request.user),
    }
    return render(request, "ledger/spotcheck_list.html", context)


@login_required
def spotcheck_draw(request: AuthedRequest) -> HttpResponse:
    """Draw cadres at random in a county or township."""
    ensure_can(request.user, "ledger.draw_spotcheck")
    form = DrawForm(request.POST or None, user=request.user)
    return form_view(
        request,
        form=form,
        save=lambda: services.spotcheck_draw(
            actor=request.user,
            region=form.cleaned_data["region"],
            size=form.cleaned_data["size"],
            seed=form.cleaned_data["seed"],
        ),
        success_message=lambda draw: _("%(count)s cadres drawn.") % {"count": draw.checks.count()},
        success_url=lambda draw: reverse("ledger:spotcheck_detail", args=[draw.pk]),
        template="ledger/spotcheck_draw.html",
    )


@login_required
def spotcheck_detail(request, pk: int):
    """One draw: its seed and population, the proof that redoing it gives the same cadres,
    and a result to record for each."""
    draw = selectors.draw_get(user=request.user, pk=pk)
    ensure_can(request.user, "ledger.view_spotcheckdraw", draw)
    context = {
        "draw": draw,
        "checks": selectors.draw_checks(draw=draw),
        "verified": selectors.spotcheck_verify(draw),
        "can_record": has_perm(request.user, "ledger.draw_spotcheck", draw),
        "can_see_cases": has_perm(request.user, "ledger.view_disciplinecase"),
        "form": SpotCheckRecordForm(),
    }
    return render(request, "ledger/spotcheck_detail.html", context)


@login_required
def spotcheck_record(request, pk: int):
    """Record what was found at one drawn cadre's post."""
    check = selectors.spotcheck_get(user=request.user, pk=pk)
    ensure_can(request.user, "ledger.draw_spotcheck", check)
    if request.method != "POST":
        return redirect("ledger:spotcheck_detail", pk=check.draw_id)
    form = SpotCheckRecordForm(request.POST)
    if form.is_valid():
        try:
            services.spotcheck_record(
                actor=request.user,
                check=check,
                result=form.cleaned_data["result"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            errors_to_messages(request, error)
        else:
            messages.success(
                request, _("Recorded for %(name)s.") % {"name": check.posting.person.name}
            )
    else:
        messages.error(request, _("Choose what was found."))
    return redirect("ledger:spotcheck_detail", pk=check.draw_id)


@login_required
def spotcheck_presence(request):
    """Presence rate per cadre and per township, for a year or for all time."""
    ensure_can(request.user, "ledger.view_spotcheckdraw")
    year = year_asked(request) if request.GET.get("year") else None
    context = {
        "year": year,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        **selectors.presence_rates(user=request.user, year=year),
        "nav": _nav(request.user),
    }
    return render(request, "ledger/spotcheck_presence.html", context)


# ---- discipline ----


@login_required
def discipline_list(request):
    """Discipline cases in the user's scope, newest first."""
    ensure_can(request.user, "ledger.view_disciplinecase")
    context = {
        "cases": list(selectors.discipline_list(user=request.user)[:200]),
        "levels": dict(DisciplineLevel.choices),
        "can_open": has_perm(request.user, "ledger.manage_discipline"),
        "nav": _nav(request.user),
    }
    return render(request, "ledger/discipline_list.html", context)


@login_required
def discipline_open(request: AuthedRequest) -> HttpResponse:
    """Open a case by hand (e.g. for work without results)."""
    ensure_can(request.user, "ledger.manage_discipline")
    form = DisciplineOpenForm(request.POST or None, user=request.user)
    return form_view(
        request,
        form=form,
        save=lambda: services.discipline_open(actor=request.user, **form.cleaned_data),
        success_message=_("Discipline case opened."),
        success_url=lambda case: reverse("ledger:discipline_detail", args=[case.pk]),
        template="ledger/discipline_form.html",
    )


@login_required
def discipline_detail(request, pk: int):
    """One case: its steps with who, when and why, and the next step or closing."""
    case = selectors.discipline_get(user=request.user, pk=pk)
    ensure_can(request.user, "ledger.view_disciplinecase", case)
    following = selectors.discipline_next_level(case)
    can_manage = has_perm(request.user, "ledger.manage_discipline", case)
    context = {
        "case": case,
        "steps": list(case.steps.all()),
        "next_level": following,
        "next_label": DisciplineLevel(following).label if following else "",
        "is_recall_next": following == DisciplineLevel.RECALL,
        "can_manage": can_manage and not case.closed_at,
        "escalate_form": ReasonForm(initial={"level": following}, prefix="escalate"),
        "close_form": ReasonForm(prefix="close"),
        "history": audit_history(request.user, case),
    }
    return render(request, "ledger/discipline_detail.html", context)


def _case_action(request, pk: int, prefix: str, act) -> object:
    case = selectors.discipline_get(user=request.user, pk=pk)
    ensure_can(request.user, "ledger.manage_discipline", case)
    if request.method != "POST":
        return redirect("ledger:discipline_detail", pk=case.pk)
    form = ReasonForm(request.POST, prefix=prefix)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return redirect("ledger:discipline_detail", pk=case.pk)
    try:
        act(case, form.cleaned_data)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("ledger:discipline_detail", pk=case.pk)


@login_required
def discipline_escalate(request, pk: int):
    """Take the next step of a case's ladder (the last recalls the cadre)."""
    return _case_action(
        request,
        pk,
        "escalate",
        lambda case, data: services.discipline_escalate(
            actor=request.user, case=case, reason=data["reason"], level=data["level"]
        ),
    )


@login_required
def discipline_close(request, pk: int):
    """Close a case without a further step."""
    return _case_action(
        request,
        pk,
        "close",
        lambda case, data: services.discipline_close(
            actor=request.user, case=case, reason=data["reason"]
        ),
    )


# ---- training ----


@login_required
def training_list(request):
    """Training hours per cadre in a year against the programme's guarantee."""
    ensure_can(request.user, "ledger.view_trainingrecord")
    year = year_asked(request)
    this_year = timezone.localdate().year
    context = {
        **selectors.training_hours(user=request.user, year=year),
        "years": range(this_year, this_year - 5, -1),
        "can_add": has_perm(request.user, "ledger.add_trainingrecord"),
        "nav": _nav(request.user),
    }
    return render(request, "ledger/training_list.html", context)


@login_required
def training_create(request: AuthedRequest) -> HttpResponse:
    """Record a training a cadre attended."""
    ensure_can(request.user, "ledger.add_trainingrecord")
    form = TrainingForm(request.POST or None, user=request.user)

    def record_page(record: TrainingRecord) -> str:
        url = reverse("ledger:training_posting", kwargs={"pk": record.posting_id})
        return f"{url}?year={record.attended_on.year}"

    return form_view(
        request,
        form=form,
        save=lambda: services.training_record(actor=request.user, **form.cleaned_data),
        success_message=_("Training recorded."),
        success_url=record_page,
        template="ledger/training_form.html",
    )


@login_required
def training_posting(request, pk: int):
    """One cadre's training records in a year."""
    posting = selectors.training_posting_get(user=request.user, pk=pk)
    ensure_can(request.user, "ledger.view_trainingrecord", posting)
    year = year_asked(request)
    records = list(selectors.training_records(posting=posting, year=year))
    context = {
        "posting": posting,
        "year": year,
        "records": records,
        "total": sum((r.hours for r in records), Decimal("0")),
        "required": posting.programme.training_hours_per_year,
    }
    return render(request, "ledger/training_posting.html", context)
