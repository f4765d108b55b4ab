"""Pages of recording and confirming activities: entry from a phone, detail, the
confirmation queue, the served party's one-time link, period close and reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.core.forms import add_service_errors
from tiantou.core.models import AuditEntry
from tiantou.core.views import AuthedRequest, errors_to_messages, form_view

from . import evidence, selectors, services
from .choices import MEASURES, ActivityStatus
from .forms import ActivityForm, PartyConfirmForm, PeriodCloseForm, PhotoForm, ReasonForm
from .models import Activity, LedgerPeriod

RELATED = ("activity_type", "region", "region__parent", "posting__person", "organisation")
MINE_LIMIT = 200
QUEUE_LIMIT = 200


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _measures_of(activity: Activity) -> list[dict]:
    return [
        {"label": m.label, "unit": m.unit, "value": getattr(activity, m.key)}
        for m in MEASURES
        if getattr(activity, m.key) is not None
    ]


def _status_history(activity: Activity) -> list[dict]:
    """The status moves of a record, read from its audit rows (oldest first)."""
    rows = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Activity), object_id=str(activity.pk)
        )
        .select_related("actor")
        .order_by("at", "id")
    )
    history = []
    for entry in rows:
        before, after = entry.before or {}, entry.after or {}
        if entry.action == "create" or before.get("status") != after.get("status"):
            status = after.get("status", "")
            try:
                label = ActivityStatus(status).label
            except ValueError:
                label = status
            history.append({"entry": entry, "label": label, "status": status})
    return history


def _is_own(user, activity: Activity) -> bool:
    posting = activity.posting
    return activity.created_by_id == user.pk or (
        posting is not None and posting.person.user_id == user.pk
    )


# ---- recording ----


@login_required
def activity_create(request):
    """Record an activity from a phone: save as draft or submit; a re-send is a no-op."""
    ensure_can(request.user, "ledger.add_activity")
    form = ActivityForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                activity, created = _create_with_photo(request, form)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                url = reverse("ledger:activity_detail", args=[activity.pk])
                if _wants_json(request):
                    return JsonResponse({"ok": True, "created": created, "url": url})
                if created:
                    messages.success(request, _("Saved: %(title)s.") % {"title": activity.title})
                else:
                    messages.info(request, _("This record was already received; nothing changed."))
                return redirect(url)
        if _wants_json(request):
            errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
            return JsonResponse({"ok": False, "errors": errors}, status=400)
    return render(
        request,
        "ledger/activity_form.html",
        {"form": form, "title": _("Record an activity"), "type_config": form.type_config()},
    )


def _create_with_photo(request, form: ActivityForm) -> tuple[Activity, bool]:
    """Create the record, attach the photo, then submit if asked: all or nothing."""
    fields = form.service_fields()
    submit = request.POST.get("action") == "submit"
    with transaction.atomic():
        activity, created = services.activity_create(
            actor=request.user, uuid=form.cleaned_data.get("uuid") or None, **fields
        )
        if not created:
            return activity, False
        if form.cleaned_data.get("photo"):
            services.activity_photo_add(
                actor=request.user,
                activity=activity,
                image=form.cleaned_data["photo"],
                latitude=fields.get("latitude"),
                longitude=fields.get("longitude"),
            )
        if submit:
            activity = services.activity_submit(actor=request.user, activity=activity)
    return activity, True


@login_required
def activity_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Correct a draft, submitted or rejected record; submitting again sends it back."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    ensure_can(request.user, "ledger.change_activity", activity)
    form = ActivityForm(
        request.POST or None, request.FILES or None, user=request.user, activity=activity
    )

    @transaction.atomic
    def save() -> Activity:
        fields = form.service_fields()
        services.activity_update(
            actor=request.user,
            activity=activity,
            expected_version=form.cleaned_data.get("version"),
            **fields,
        )
        if form.cleaned_data.get("photo"):
            services.activity_photo_add(
                actor=request.user,
                activity=activity,
                image=form.cleaned_data["photo"],
                latitude=fields.get("latitude"),
                longitude=fields.get("longitude"),
            )
        if request.POST.get("action") == "submit":
            services.activity_submit(actor=request.user, activity=activity)
        return activity

    return form_view(
        request,
        form=form,
        save=save,
        success_message=lambda saved: _("Saved: %(title)s.") % {"title": saved.title},
        success_url=lambda saved: reverse("ledger:activity_detail", args=[saved.pk]),
        template="ledger/activity_form.html",
        context={
            "activity": activity,
            "title": _("Correct the record"),
            "type_config": form.type_config(),
        },
    )


@login_required
def activity_detail(request, pk: int):
    """One record: measures, photos, flags, status history and what the user may do."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    user = request.user
    own = _is_own(user, activity)
    can_admin = has_perm(user, "ledger.confirm_activity", activity)
    editable = activity.status in services.EDITABLE
    may_edit = has_perm(user, "ledger.change_activity", activity) and (own or can_admin)
    submitted = activity.status == ActivityStatus.SUBMITTED
    context = {
        "activity": activity,
        "measures": _measures_of(activity),
        "technologies": list(activity.technologies.all()),
        "photos": list(activity.photos.all()),
        "flags": evidence.describe_flags(activity.flags),
        "history": _status_history(activity),
        "is_counted": activity.status in services.COUNTED,
        "can_edit": may_edit and editable,
        "can_submit": may_edit
        and activity.status in (ActivityStatus.DRAFT, ActivityStatus.REJECTED),
        "can_confirm": can_admin and not own and submitted,
        "can_link": may_edit and submitted,
        "can_reopen": has_perm(user, "ledger.reopen_activity", activity)
        and activity.status in services.COUNTED,
        "can_delete": may_edit and editable,
        "can_restore": may_edit and activity.status == ActivityStatus.DELETED,
        "photo_form": PhotoForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "ledger/activity_detail.html", context)


@login_required
def activity_mine(request):
    """The user's own records: status and whether each is counted."""
    ensure_can(request.user, "ledger.view_activity")
    user = request.user
    activities = (
        Activity.objects.filter(Q(created_by=user) | Q(posting__person__user=user))
        .select_related(*RELATED)
        .order_by("-starts_on", "-id")[:MINE_LIMIT]
    )
    context = {
        "activities": activities,
        "counted": services.COUNTED,
        "can_add": has_perm(user, "ledger.add_activity"),
        "can_confirm": has_perm(user, "ledger.confirm_activity"),
        "can_close": has_perm(user, "ledger.close_period"),
    }
    return render(request, "ledger/activity_mine.html", context)


def _post_action(request, pk: int, action) -> object:
    """Run a service on an activity the user can see; a refusal is shown, never lost."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    try:
        action(activity)
    except ValidationError as error:
        errors_to_messages(request, error)
    return redirect("ledger:activity_detail", pk=activity.pk)


@login_required
@require_POST
def activity_submit(request, pk: int):
    """Send a draft or corrected record for confirmation."""

    def run(activity):
        services.activity_submit(actor=request.user, activity=activity)
        messages.success(request, _("Submitted for confirmation."))

    return _post_action(request, pk, run)


@login_required
@require_POST
def activity_photo_add(request, pk: int):
    """Attach a photo to a record (flags are computed again)."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    form = PhotoForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("ledger:activity_detail", pk=activity.pk)
    try:
        services.activity_photo_add(
            actor=request.user,
            activity=activity,
            image=form.cleaned_data["photo"],
            latitude=form.cleaned_data["latitude"],
            longitude=form.cleaned_data["longitude"],
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("Photo added."))
    return redirect("ledger:activity_detail", pk=activity.pk)


@login_required
@require_POST
def activity_delete(request, pk: int):
    """Mark a record deleted, with a reason; it can be restored."""

    def run(activity):
        services.activity_delete(
            actor=request.user, activity=activity, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Record deleted; it can be restored."))

    return _post_action(request, pk, run)


@login_required
@require_POST
def activity_restore(request, pk: int):
    """Undo a deletion."""

    def run(activity):
        services.activity_restore(actor=request.user, activity=activity)
        messages.success(request, _("Record restored."))

    return _post_action(request, pk, run)


@login_required
@require_POST
def activity_reopen(request, pk: int):
    """The county reopens a confirmed or locked record, with a reason."""

    def run(activity):
        services.activity_reopen(
            actor=request.user, activity=activity, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("Record reopened."))

    return _post_action(request, pk, run)


@login_required
def activity_link(request, pk: int):
    """Make a one-time link for the served party; the link is shown once."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    if request.method != "POST":
        return redirect("ledger:activity_detail", pk=activity.pk)
    try:
        link, token = services.confirmation_link_create(actor=request.user, activity=activity)
    except ValidationError as error:
        errors_to_messages(request, error)
        return redirect("ledger:activity_detail", pk=activity.pk)
    url = request.build_absolute_uri(reverse("ledger:confirm_link", args=[token]))
    return render(
        request, "ledger/confirm_link_made.html", {"activity": activity, "link": link, "url": url}
    )


# ---- confirmation ----


def _queue(user):
    """Submitted records the user may confirm: in scope, not their own."""
    rows = (
        Activity.objects.visible_to(user)
        .filter(status=ActivityStatus.SUBMITTED)
        .exclude(created_by=user)
        .exclude(posting__person__user=user)
        .select_related(*RELATED, "created_by")
        .prefetch_related("photos")
        .order_by("submitted_at", "id")[:QUEUE_LIMIT]
    )
    return [
        {"activity": a, "flags": evidence.describe_flags(a.flags), "measures": _measures_of(a)}
        for a in rows
        if has_perm(user, "ledger.confirm_activity", a)
    ]


@login_required
def confirm_queue(request):
    """Submitted records waiting for the township admin, flags shown."""
    ensure_can(request.user, "ledger.confirm_activity")
    return render(
        request,
        "ledger/confirm_queue.html",
        {"rows": _queue(request.user), "reason_form": ReasonForm()},
    )


def _decided(request, activity: Activity, error: ValidationError | None = None):
    """After confirm or reject: the queue row (htmx) or back to the queue."""
    if request.htmx:
        return render(
            request,
            "ledger/confirm_queue.html#row",
            {"row": {"activity": activity, "flags": [], "measures": []}, "error": error},
        )
    if error is not None:
        errors_to_messages(request, error)
    next_url = request.POST.get("next")
    if next_url == "detail":
        return redirect("ledger:activity_detail", pk=activity.pk)
    return redirect("ledger:confirm_queue")


@login_required
@require_POST
def activity_confirm(request, pk: int):
    """Confirm a submitted record: it counts from now on."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    try:
        activity = services.activity_confirm(actor=request.user, activity=activity)
    except ValidationError as error:
        return _decided(request, activity, error)
    if not request.htmx:
        messages.success(request, _("Confirmed: %(title)s.") % {"title": activity.title})
    return _decided(request, activity)


@login_required
@require_POST
def activity_reject(request, pk: int):
    """Send a submitted record back with a reason."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    try:
        activity = services.activity_reject(
            actor=request.user, activity=activity, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        return _decided(request, activity, error)
    if not request.htmx:
        messages.success(request, _("Sent back: %(title)s.") % {"title": activity.title})
    return _decided(request, activity)


def confirm_link(request, token: str):
    """The served party's page (no login): the activity's essentials and a name to confirm."""
    try:
        link = services.confirmation_link_get(token=token)
    except ValidationError as error:
        return render(
            request, "ledger/confirm_link.html", {"error": " ".join(error.messages)}, status=404
        )
    activity = link.activity
    form = PartyConfirmForm(request.POST or None)
    done = False
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_confirm_by_link(token=token, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = True
    context = {
        "activity": activity,
        "measures": _measures_of(activity),
        "form": form,
        "done": done,
    }
    return render(request, "ledger/confirm_link.html", context)


# ---- periods ----


@login_required
def period_close(request: AuthedRequest) -> HttpResponse:
    """The county closes a month: its confirmed records are locked."""
    ensure_can(request.user, "ledger.close_period")
    form = PeriodCloseForm(request.POST or None, user=request.user)
    # Lazy: read only when the page is shown.
    periods = LedgerPeriod.objects.filter(region__in=form.regions).select_related(
        "region", "closed_by"
    )[:50]
    return form_view(
        request,
        form=form,
        save=lambda: services.period_close(actor=request.user, **form.cleaned_data),
        success_message=lambda period: _("%(period)s closed.") % {"period": period},
        success_url=lambda _period: reverse("ledger:period_close"),
        template="ledger/activity_periods.html",
        context={"periods": periods},
    )
