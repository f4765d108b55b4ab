"""Pages of the selection of cadres: batches, quotas, applicants, scoring, decisions, list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core.forms import add_service_errors
from tiantou.core.importing import XLSX_CONTENT_TYPE

from .. import allocation
from ..choices import ApplicationStatus, BatchStatus
from . import selectors, services
from .forms import ApplicationForm, BatchForm, DecisionForm, QuotaForm, ScoreForm

MANAGE = "people.manage_batch"
VIEW = "people.view_batch"


def _errors(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def _batch_for(request, pk: int, perm: str | None = None):
    """A batch the user can see (else 404) on which the user holds `perm` (else 403)."""
    batch = selectors.batch_get(user=request.user, pk=pk)
    if perm:
        ensure_can(request.user, perm, batch)
    else:
        # A county's batch sits above a township's scope: seeing it is `visible_to`'s call,
        # and any membership granting the view right is enough.
        ensure_can(request.user, VIEW)
    return batch


@login_required
def batch_list(request):
    """Batches the user can see, and the ones waiting for the user's scores."""
    to_score = list(selectors.batches_to_score(user=request.user))
    can_view = has_perm(request.user, VIEW)
    if not can_view and not to_score:
        raise PermissionDenied
    context = {
        "batches": list(selectors.batch_list(user=request.user)) if can_view else [],
        "to_score": to_score,
        "can_add": has_perm(request.user, MANAGE),
    }
    return render(request, "people/batch_list.html", context)


@login_required
def batch_create(request):
    """Open a new batch of a programme."""
    ensure_can(request.user, MANAGE)
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.batch_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(batch)s opened.") % {"batch": batch})
            return redirect("people:batch_detail", pk=batch.pk)
    return render(request, "people/batch_form.html", {"form": form})


def _detail_context(request, batch, decision_errors=None) -> dict:
    user = request.user
    can_manage = has_perm(user, MANAGE, batch)
    rows = selectors.application_rows(user=user, batch=batch)
    quota_rows = selectors.batch_quota_rows(batch=batch)
    counts = selectors.batch_status_counts(batch=batch)
    open_ = batch.status == BatchStatus.OPEN
    deciding = batch.status == BatchStatus.DECIDED
    return {
        "batch": batch,
        "rows": rows,
        "quota_rows": quota_rows,
        "quota_form": QuotaForm(batch=batch, rows=quota_rows) if can_manage and open_ else None,
        "counts": counts,
        "undecided": counts[ApplicationStatus.APPLIED],
        "judges": list(batch.judges.order_by("username")),
        "is_judge": any(j.pk == user.pk for j in batch.judges.all()),
        "can_manage": can_manage,
        "can_add_applicant": can_manage and open_,
        "can_decide": can_manage and deciding,
        "places": selectors.allocation_places(batch=batch) if can_manage and deciding else [],
        "decision_choices": [
            (s.value, s.label)
            for s in (
                ApplicationStatus.SELECTED,
                ApplicationStatus.WAITING,
                ApplicationStatus.NOT_SELECTED,
            )
        ],
        "decision_errors": decision_errors or {},
        "has_list": batch.status in (BatchStatus.DECIDED, BatchStatus.PUBLISHED),
        "statuses": BatchStatus,
    }


@login_required
def batch_detail(request, pk: int):
    """A batch: quotas, applicants with scores and rank, decisions, the allocation list."""
    batch = _batch_for(request, pk)
    template = "people/batch_detail.html"
    if request.htmx:
        template += "#applicants"
    return render(request, template, _detail_context(request, batch))


@login_required
def batch_quotas(request, pk: int):
    """Set the quota of each township (while the batch takes applications)."""
    batch = _batch_for(request, pk, MANAGE)
    if request.method != "POST":
        return redirect("people:batch_detail", pk=batch.pk)
    rows = selectors.batch_quota_rows(batch=batch)
    form = QuotaForm(request.POST, batch=batch, rows=rows)
    if form.is_valid():
        try:
            services.batch_set_quotas(actor=request.user, batch=batch, quotas=form.quotas())
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        else:
            messages.success(request, _("Quotas saved."))
    else:
        messages.error(request, _("Quotas are whole numbers from 0 to 999."))
    return redirect("people:batch_detail", pk=batch.pk)


# One view per move: each URL does one thing, and the button says which.
MOVES = {
    "start_scoring": (
        services.batch_start_scoring,
        gettext_lazy("Scoring is open to the judges."),
    ),
    "close_scoring": (
        services.batch_close_scoring,
        gettext_lazy("Scoring closed: decide the candidates."),
    ),
}


def _batch_move(request, pk: int, move: str):
    batch = _batch_for(request, pk, MANAGE)
    if request.method != "POST":
        return redirect("people:batch_detail", pk=batch.pk)
    service, done = MOVES[move]
    try:
        service(actor=request.user, batch=batch)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, str(done))
    return redirect("people:batch_detail", pk=batch.pk)


@login_required
def batch_start_scoring(request, pk: int):
    """Close applications and open scoring."""
    return _batch_move(request, pk, "start_scoring")


@login_required
def batch_close_scoring(request, pk: int):
    """Close scoring so that the candidates can be decided."""
    return _batch_move(request, pk, "close_scoring")


@login_required
def batch_auto_allocate(request, pk: int):
    """Propose decisions in rank order within the quotas, for review before publishing."""
    batch = _batch_for(request, pk, MANAGE)
    if request.method != "POST":
        return redirect("people:batch_detail", pk=batch.pk)
    try:
        counts = services.batch_auto_allocate(actor=request.user, batch=batch)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(
            request,
            _(
                "%(selected)s selected and %(waiting)s put on the waiting list; "
                "check before publishing."
            )
            % counts,
        )
    return redirect("people:batch_detail", pk=batch.pk)


@login_required
def application_create(request, pk: int):
    """Add an applicant to a batch: someone on the register, recommended or self-applied."""
    batch = _batch_for(request, pk, MANAGE)
    form = ApplicationForm(request.POST or None, user=request.user, batch=batch)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_create(
                actor=request.user, batch=batch, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if application.status == ApplicationStatus.INELIGIBLE:
                messages.warning(
                    request,
                    _("%(person)s added but not eligible: %(reason)s")
                    % {"person": application.person, "reason": application.decision_note},
                )
            else:
                messages.success(request, _("%(person)s added.") % {"person": application.person})
            if "add_another" in request.POST:
                return redirect("people:application_create", pk=batch.pk)
            return redirect("people:batch_detail", pk=batch.pk)
    return render(request, "people/application_form.html", {"form": form, "batch": batch})


@login_required
@require_POST
def application_decide(request, pk: int):
    """Decide one candidate; htmx gets the applicants table back, with any error on the row."""
    application = selectors.application_get(user=request.user, pk=pk)
    batch = application.batch
    ensure_can(request.user, MANAGE, batch)
    form = DecisionForm(request.POST, batch=batch)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.application_decide(
                actor=request.user,
                application=application,
                status=form.cleaned_data["status"],
                allocated_region=form.cleaned_data["allocated_region"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            errors = _errors(error)
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    if request.htmx:
        context = _detail_context(request, batch, {application.pk: errors} if errors else None)
        return render(request, "people/batch_detail.html#applicants", context)
    for message in errors:
        messages.error(request, f"{application.person}: {message}")
    if not errors:
        messages.success(
            request, _("Decision saved for %(person)s.") % {"person": application.person}
        )
    return redirect("people:batch_detail", pk=batch.pk)


@login_required
def batch_score(request, pk: int):
    """A judge's scoring sheet: one row per candidate; a judge sees only batches they judge."""
    batch = selectors.batch_get_for_judge(user=request.user, pk=pk)
    applications = list(selectors.applications_to_score(batch=batch))
    mine = selectors.judge_scores(batch=batch, judge=request.user)
    forms = []
    for application in applications:
        own = mine.get(application.pk)
        initial = {"score": own.score, "comment": own.comment} if own else {}
        form = ScoreForm(
            request.POST if request.method == "POST" else None,
            prefix=f"a{application.pk}",
            initial=initial,
        )
        forms.append((application, form))
    scoring = batch.status == BatchStatus.SCORING
    if request.method == "POST":
        if not scoring:
            messages.error(request, _("Scoring of this batch is closed."))
        elif all(form.is_valid() for _a, form in forms):
            try:
                with transaction.atomic():
                    saved = 0
                    for application, form in forms:
                        score = form.cleaned_data["score"]
                        if score is None:
                            continue
                        services.score_record(
                            actor=request.user,
                            application=application,
                            score=score,
                            comment=form.cleaned_data["comment"],
                        )
                        saved += 1
            except ValidationError as error:
                for message in _errors(error):
                    messages.error(request, message)
            else:
                messages.success(request, _("%(count)s scores saved.") % {"count": saved})
                return redirect("people:batch_score", pk=batch.pk)
    return render(
        request,
        "people/batch_score.html",
        {"batch": batch, "forms": forms, "scoring": scoring},
    )


@login_required
def batch_publish(request, pk: int):
    """Confirm, then publish the allocation list and create the planned postings."""
    batch = _batch_for(request, pk, MANAGE)
    if request.method == "POST":
        try:
            services.batch_publish(actor=request.user, batch=batch)
        except ValidationError as error:
            for message in _errors(error):
                messages.error(request, message)
        else:
            messages.success(request, _("The allocation list is published."))
            return redirect("people:batch_detail", pk=batch.pk)
    counts = selectors.batch_status_counts(batch=batch)
    context = {
        "batch": batch,
        "rows": selectors.allocation_rows(batch=batch),
        "counts": counts,
        "undecided": counts[ApplicationStatus.APPLIED],
        "can_publish": batch.status == BatchStatus.DECIDED
        and not counts[ApplicationStatus.APPLIED],
    }
    return render(request, "people/batch_publish.html", context)


def _download(request, pk: int, extension: str) -> HttpResponse:
    batch = _batch_for(request, pk)
    if batch.status not in (BatchStatus.DECIDED, BatchStatus.PUBLISHED):
        messages.error(request, _("The allocation list exists once scoring is closed."))
        return redirect("people:batch_detail", pk=batch.pk)
    if extension == "xlsx":
        content, content_type = allocation.allocation_xlsx(batch), XLSX_CONTENT_TYPE
    else:
        content, content_type = allocation.allocation_docx(batch), allocation.DOCX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    filename = allocation.allocation_filename(batch, extension)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def batch_allocation_xlsx(request, pk: int):
    """The allocation list (分配去向) as an Excel workbook."""
    return _download(request, pk, "xlsx")


@login_required
def batch_allocation_docx(request, pk: int):
    """The allocation list (分配去向) as a Word document."""
    return _download(request, pk, "docx")
