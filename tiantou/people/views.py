"""Pages of the person register, programmes, postings, the roster and the counts."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core.exporting import xlsx_response
from tiantou.core.importing import Column
from tiantou.core.views import AuthedRequest, form_view

from . import selectors, services
from .choices import DispatchLevel, PostingStatus
from .filters import PersonFilterSet, PostingFilterSet
from .forms import (
    ActivateForm,
    LetterForm,
    PersonForm,
    PostingCreateForm,
    PostingEditForm,
    ProgrammeForm,
    RecallForm,
    TargetFormSet,
    WithdrawForm,
)
from .models import Person, Posting, Programme

PER_PAGE = 50


def _page(request: AuthedRequest, queryset: QuerySet[Any]) -> tuple[Page[Any], str]:
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# ---- the person register ----


@login_required
def person_list(request: AuthedRequest) -> HttpResponse:
    """People the user can see: search by name or phone, filter by specialty, rank, unit."""
    ensure_can(request.user, "people.view_person")
    filterset = PersonFilterSet(
        request.GET, queryset=selectors.person_list(user=request.user), request=request
    )
    page, query = _page(request, filterset.qs)
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "can_add": has_perm(request.user, "people.add_person"),
    }
    template = "people/person_list.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One person: details, every posting with its effective status, and the history."""
    person = selectors.person_read(user=request.user, pk=pk)
    user = request.user
    context = {
        "person": person,
        "id_number": services.person_id_number(actor=user, person=person).text,
        "shows_birth_date": selectors.can_read_id_number(user, person),
        "postings": list(selectors.person_postings(user=user, person=person)),
        "can_edit": has_perm(user, "people.change_person", person),
        "can_post": has_perm(user, "people.add_posting"),
        "history": selectors.person_history(user=user, person=person),
    }
    return render(request, "people/person_detail.html", context)


def _person_url(person: Person) -> str:
    return reverse("people:person_detail", args=[person.pk])


@login_required
def person_create(request: AuthedRequest) -> HttpResponse:
    """Register a person in a register where the user may add people."""
    ensure_can(request.user, "people.add_person")
    form = PersonForm(request.POST or None, user=request.user)
    return form_view(
        request,
        form=form,
        save=lambda: services.person_create(actor=request.user, **form.service_fields()),
        success_message=lambda person: _("%(name)s added.") % {"name": person.name},
        success_url=_person_url,
        template="people/person_form.html",
        context={"title": _("Add a person")},
    )


@login_required
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Edit a person; an edit made meanwhile by someone else is refused, not lost."""
    person = selectors.person_get(user=request.user, pk=pk)
    ensure_can(request.user, "people.change_person", person)
    form = PersonForm(
        request.POST or None,
        user=request.user,
        person=person,
        masked_id=person.id_number_masked,
    )
    return form_view(
        request,
        form=form,
        save=lambda: services.person_update(
            actor=request.user,
            person=person,
            expected_version=form.cleaned_data["version"],
            **form.service_fields(),
        ),
        success_message=lambda saved: _("%(name)s saved.") % {"name": saved.name},
        success_url=_person_url,
        template="people/person_form.html",
        context={"person": person, "title": _("Edit person")},
    )


# ---- programmes ----


@login_required
def programme_list(request: AuthedRequest) -> HttpResponse:
    """The programmes the user can see, with what each gives."""
    ensure_can(request.user, "people.view_programme")
    context = {
        "programmes": selectors.programme_list(user=request.user),
        "can_manage": has_perm(request.user, "people.manage_programme"),
    }
    return render(request, "people/programme_list.html", context)


def _programme_list_url(_programme: Programme) -> str:
    return reverse("people:programme_list")


@login_required
def programme_create(request: AuthedRequest) -> HttpResponse:
    """Configure a new programme."""
    ensure_can(request.user, "people.manage_programme")
    form = ProgrammeForm(request.POST or None, user=request.user)
    return form_view(
        request,
        form=form,
        save=lambda: services.programme_create(
            actor=request.user, region=form.cleaned_data["region"], **form.service_fields()
        ),
        success_message=lambda programme: _("%(name)s added.") % {"name": programme.name},
        success_url=_programme_list_url,
        template="people/programme_form.html",
        context={"title": _("Add a programme")},
    )


@login_required
def programme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a programme's settings."""
    programme = selectors.programme_get(user=request.user, pk=pk)
    ensure_can(request.user, "people.manage_programme", programme)
    form = ProgrammeForm(request.POST or None, user=request.user, programme=programme)
    return form_view(
        request,
        form=form,
        save=lambda: services.programme_update(
            actor=request.user,
            programme=programme,
            expected_version=form.cleaned_data["version"],
            **form.service_fields(),
        ),
        success_message=lambda saved: _("%(name)s saved.") % {"name": saved.name},
        success_url=_programme_list_url,
        template="people/programme_form.html",
        context={
            "programme": programme,
            "title": _("Edit programme"),
            "history": audit_history(request.user, programme),
        },
    )


# ---- the roster ----


def _roster_filter(request: AuthedRequest) -> PostingFilterSet:
    return PostingFilterSet(
        request.GET, queryset=selectors.posting_roster(user=request.user), request=request
    )


@login_required
def roster(request: AuthedRequest) -> HttpResponse:
    """Every posting the user can see, filtered and 50 to a page; htmx refreshes the table."""
    ensure_can(request.user, "people.view_posting")
    filterset = _roster_filter(request)
    page, query = _page(request, filterset.qs)
    context = {
        "filter": filterset,
        "page": page,
        "query": query,
        "can_add": has_perm(request.user, "people.add_posting"),
    }
    template = "people/roster.html"
    if request.htmx:
        template += "#table"
    return render(request, template, context)


def _specialties(posting: Posting) -> str:
    return "、".join(s.name for s in posting.person.specialties.all())


ROSTER_COLUMNS = [
    Column("person", gettext_lazy("Name"), export=lambda p: p.person.name, width=10),
    Column("gender", gettext_lazy("Gender"), export=lambda p: p.person.get_gender_display()),
    Column("title", gettext_lazy("Post title"), width=16),
    Column("programme", gettext_lazy("Programme"), export=lambda p: p.programme.name, width=14),
    Column("batch", gettext_lazy("Batch"), export=lambda p: str(p.batch) if p.batch else ""),
    Column("host_region", gettext_lazy("Township or village"), export=lambda p: p.host_region.name),
    Column(
        "host_organisation",
        gettext_lazy("Host unit"),
        export=lambda p: p.host_organisation.name if p.host_organisation else "",
    ),
    Column("mode", gettext_lazy("Engagement"), export=lambda p: p.get_mode_display()),
    Column("post_type", gettext_lazy("Post type"), export=lambda p: p.get_post_type_display()),
    Column(
        "dispatch_level",
        gettext_lazy("Dispatched by"),
        export=lambda p: p.get_dispatch_level_display(),
    ),
    Column(
        "is_from_outside_county",
        gettext_lazy("From outside the county"),
        export=lambda p: _("Yes") if p.is_from_outside_county else _("No"),
    ),
    Column("starts_on", gettext_lazy("Term starts on"), export=lambda p: p.starts_on),
    Column("ends_on", gettext_lazy("Term ends on"), export=lambda p: p.ends_on),
    Column(
        "status",
        gettext_lazy("Status"),
        export=lambda p: str(PostingStatus(p.current_status).label),
    ),
    Column(
        "title_rank", gettext_lazy("Title rank"), export=lambda p: p.person.get_title_rank_display()
    ),
    Column("specialties", gettext_lazy("Specialties"), export=_specialties, width=20),
    Column(
        "home_unit",
        gettext_lazy("Home unit"),
        export=lambda p: p.person.home_unit.name if p.person.home_unit else "",
        width=20,
    ),
    Column("phone", gettext_lazy("Phone"), export=lambda p: p.person.phone),
]


@login_required
def roster_export(request: AuthedRequest) -> FileResponse:
    """The filtered roster as an .xlsx file."""
    ensure_can(request.user, "people.view_posting")
    filterset = _roster_filter(request)
    filename = _("cadres") + f"-{timezone.localdate():%Y%m%d}.xlsx"
    return xlsx_response(
        ROSTER_COLUMNS,
        filterset.qs.iterator(chunk_size=2000),
        filename=filename,
        sheet_title=_("Cadres"),
    )


# ---- counts ----

LEVEL_PIECES = {
    DispatchLevel.CITY: gettext_lazy("city-level %(n)s"),
    DispatchLevel.COUNTY: gettext_lazy("county-level %(n)s"),
    DispatchLevel.TOWNSHIP: gettext_lazy("township-level %(n)s"),
}


def counts_sentence(counts: dict) -> str:
    """“共37名：县派11名（其中聘请县外1名），乡镇派26名”, from translatable pieces."""
    parts = []
    for row in counts["levels"]:
        piece = str(LEVEL_PIECES.get(row["level"], "%(n)s")) % {"n": row["n"]}
        if row["outside"]:
            piece += _(" (of them %(n)s hired from outside the county)") % {"n": row["outside"]}
        parts.append(piece)
    total = _("%(total)s in all") % {"total": counts["total"]}
    if not parts:
        return total
    return _("%(total)s: %(parts)s") % {
        "total": total,
        "parts": pgettext("list separator", ", ").join(parts),
    }


@login_required
def posting_counts(request: AuthedRequest) -> HttpResponse:
    """Cadres in office today by dispatch level, programme and township, each number a link."""
    ensure_can(request.user, "people.view_posting")
    counts = selectors.posting_counts(user=request.user)
    roster_url = reverse("people:roster")
    chart = {
        "names": [t["name"] for t in counts["townships"]],
        "codes": [t["code"] for t in counts["townships"]],
        "series": [
            {"name": str(label), "data": [t["by_level"][i]["n"] for t in counts["townships"]]}
            for i, label in enumerate(counts["level_labels"])
        ],
        "url": f"{roster_url}?current=true&township=",
    }
    context = {
        "counts": counts,
        "sentence": counts_sentence(counts),
        "roster_url": roster_url,
        "chart": chart if counts["townships"] else None,
    }
    return render(request, "people/counts.html", context)


# ---- postings ----


def _current_status(posting: Posting) -> str:
    # The selectors annotate it (an active posting past its term reads as completed);
    # the model's type does not know the annotation.
    return posting.current_status  # type: ignore[attr-defined]


def _posting_for(request: AuthedRequest, pk: int, perm: str | None = None) -> Posting:
    """A posting in the user's scope (else 404) on which the user holds `perm`, or without
    one that the user may read (else 403)."""
    if perm is None:
        return selectors.posting_read(user=request.user, pk=pk)
    posting = selectors.posting_get(user=request.user, pk=pk)
    ensure_can(request.user, perm, posting)
    return posting


@login_required
def posting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """One posting: person, host, term, benefits, subsidy owed, letter, history."""
    posting = _posting_for(request, pk)
    user = request.user
    owed = services.subsidy_owed(posting)
    status = _current_status(posting)
    can_change = has_perm(user, "people.change_posting", posting)
    context = {
        "posting": posting,
        "status": status,
        "status_label": PostingStatus(status).label,
        "owed": owed,
        "owed_total": sum((amount for _month, amount in owed), Decimal("0")),
        "letter": selectors.posting_letter(posting=posting),
        "events": list(selectors.posting_events(posting=posting)),
        "can_edit": can_change and posting.status not in services.CLOSED_STATUSES,
        "can_activate": can_change and posting.status == PostingStatus.PLANNED,
        "can_withdraw": can_change and posting.status == PostingStatus.PLANNED,
        "can_recall": status == PostingStatus.ACTIVE
        and has_perm(user, "people.recall_posting", posting),
        "history": audit_history(user, posting),
    }
    return render(request, "people/posting_detail.html", context)


def _posting_url(posting: Posting) -> str:
    return reverse("people:posting_detail", args=[posting.pk])


@login_required
def posting_create(request: AuthedRequest) -> HttpResponse:
    """Dispatch one person now (成熟一个，下派一个), outside any batch."""
    ensure_can(request.user, "people.add_posting")
    form = PostingCreateForm(request.POST or None, user=request.user)
    initial_person = request.GET.get("person")
    if request.method == "GET" and initial_person:
        form.initial["person"] = initial_person
    return form_view(
        request,
        form=form,
        save=lambda: services.posting_create(actor=request.user, **form.cleaned_data),
        success_message=lambda posting: _("%(name)s posted.") % {"name": posting.person.name},
        success_url=_posting_url,
        template="people/posting_form.html",
        context={"title": _("Dispatch a cadre")},
    )


@login_required
def posting_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change benefits, engagement, dispatch level, host unit or term end of a posting."""
    posting = _posting_for(request, pk, "people.change_posting")
    form = PostingEditForm(request.POST or None, user=request.user, posting=posting)
    return form_view(
        request,
        form=form,
        save=lambda: services.posting_update(
            actor=request.user,
            posting=posting,
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
            **form.service_fields(),
        ),
        success_message=_("Posting saved."),
        success_url=_posting_url,
        template="people/posting_form.html",
        context={"posting": posting, "title": _("Edit posting")},
    )


def _posting_action(
    request: AuthedRequest,
    pk: int,
    *,
    perm: str,
    form_class: type[forms.Form],
    initial: dict[str, Any],
    act: Callable[[Posting, dict[str, Any]], object],
    title: str,
    intro: str,
    button: str,
    danger: bool,
) -> HttpResponse:
    """A confirmation page for one step of a posting (start, recall, withdraw)."""
    posting = _posting_for(request, pk, perm)
    form = form_class(request.POST or None, initial=initial)
    return form_view(
        request,
        form=form,
        save=lambda: act(posting, form.cleaned_data),
        success_url=lambda _done: _posting_url(posting),
        template="people/posting_action.html",
        context={
            "posting": posting,
            "title": title,
            "intro": intro,
            "button": button,
            "danger": danger,
        },
    )


@login_required
def posting_activate(request: AuthedRequest, pk: int) -> HttpResponse:
    """The cadre took up the post (到岗)."""

    def act(posting: Posting, data: dict[str, Any]) -> None:
        services.posting_activate(actor=request.user, posting=posting, on=data["on"])
        messages.success(request, _("The posting is now active."))

    return _posting_action(
        request,
        pk,
        perm="people.change_posting",
        form_class=ActivateForm,
        initial={"on": timezone.localdate()},
        act=act,
        title=_("Took up the post"),
        intro=_("Record that the cadre has arrived and started work."),
        button=_("Confirm arrival"),
        danger=False,
    )


@login_required
def posting_recall(request: AuthedRequest, pk: int) -> HttpResponse:
    """Recall the cadre to the home unit (退回原单位): reason, date, confirmation."""

    def act(posting: Posting, data: dict[str, Any]) -> None:
        services.posting_recall(
            actor=request.user, posting=posting, reason=data["reason"], on=data["on"]
        )
        messages.success(request, _("The cadre has been recalled to the home unit."))

    return _posting_action(
        request,
        pk,
        perm="people.recall_posting",
        form_class=RecallForm,
        initial={"on": timezone.localdate()},
        act=act,
        title=_("Recall to the home unit"),
        intro=_(
            "The posting ends on the day chosen and the monthly subsidy stops from that day. "
            "This cannot be undone."
        ),
        button=_("Recall"),
        danger=True,
    )


@login_required
def posting_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    """Call off a planned posting."""

    def act(posting: Posting, data: dict[str, Any]) -> None:
        services.posting_withdraw(actor=request.user, posting=posting, reason=data["reason"])
        messages.success(request, _("The posting has been withdrawn."))

    return _posting_action(
        request,
        pk,
        perm="people.change_posting",
        form_class=WithdrawForm,
        initial={},
        act=act,
        title=_("Withdraw the posting"),
        intro=_("The planned posting is called off before it starts."),
        button=_("Withdraw"),
        danger=True,
    )


@login_required
def posting_letter(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record the signed responsibility letter (任期目标责任书): date, file, yearly targets."""
    posting = _posting_for(request, pk, "people.change_posting")
    letter = selectors.posting_letter(posting=posting)
    initial_targets = (
        [
            {
                "year": t.year,
                "description": t.description,
                "target_value": t.target_value,
                "unit": t.unit,
            }
            for t in letter.targets.all()
        ]
        if letter
        else [{"year": posting.starts_on.year}]
    )
    data = request.POST if request.method == "POST" else None
    form = LetterForm(
        data,
        request.FILES or None,
        initial={"signed_on": letter.signed_on if letter else timezone.localdate()},
    )
    targets = TargetFormSet(data, initial=initial_targets, prefix="targets")
    return form_view(
        request,
        form=form,
        formsets=[targets],
        save=lambda: services.letter_sign(
            actor=request.user,
            posting=posting,
            signed_on=form.cleaned_data["signed_on"],
            file=form.cleaned_data["file"],
            targets=[t.cleaned_data for t in targets.forms if t.cleaned_data],
        ),
        success_message=_("Responsibility letter saved."),
        success_url=lambda _letter: _posting_url(posting),
        template="people/posting_letter.html",
        context={"posting": posting, "letter": letter, "targets": targets},
    )


# ---- the cadre's own page ----


@login_required
def my_postings(request: AuthedRequest) -> HttpResponse:
    """A dispatched cadre's own postings: title, host, term, targets and benefits."""
    today = timezone.localdate()
    postings = selectors.my_postings(user=request.user)
    rows = []
    for posting in postings:
        owed = services.subsidy_owed(posting)
        letter = getattr(posting, "letter", None)
        status = posting.effective_status(today)
        rows.append(
            {
                "posting": posting,
                "status_label": PostingStatus(status).label,
                "days_left": (posting.ends_on - today).days
                if status == PostingStatus.ACTIVE
                else None,
                "owed_total": sum((amount for _m, amount in owed), Decimal("0")),
                "letter": letter,
                "targets": list(letter.targets.all()) if letter else [],
            }
        )
    context = {"rows": rows, "has_person": selectors.has_person(request.user)}
    return render(request, "people/my_postings.html", context)
