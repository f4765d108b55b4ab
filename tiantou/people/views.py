"""Pages of the person register, programmes, postings, the roster and the counts."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from tiantou.accounts.permissions import audit_history, ensure_can, has_perm
from tiantou.core.exporting import xlsx_response
from tiantou.core.forms import add_service_errors
from tiantou.core.importing import Column

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

PER_PAGE = 50


def _page(request, queryset):
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


# ---- the person register ----


@login_required
def person_list(request):
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
def person_detail(request, pk: int):
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


@login_required
def person_create(request):
    """Register a person in a register where the user may add people."""
    ensure_can(request.user, "people.add_person")
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": person.name})
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/person_form.html", {"form": form, "title": _("Add a person")})


@login_required
def person_edit(request, pk: int):
    """Edit a person; an edit made meanwhile by someone else is refused, not lost."""
    person = selectors.person_get(user=request.user, pk=pk)
    ensure_can(request.user, "people.change_person", person)
    form = PersonForm(
        request.POST or None,
        user=request.user,
        person=person,
        masked_id=person.id_number_masked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": person.name})
            return redirect("people:person_detail", pk=person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "person": person, "title": _("Edit person")},
    )


# ---- programmes ----


@login_required
def programme_list(request):
    """The programmes the user can see, with what each gives."""
    ensure_can(request.user, "people.view_programme")
    context = {
        "programmes": selectors.programme_list(user=request.user),
        "can_manage": has_perm(request.user, "people.manage_programme"),
    }
    return render(request, "people/programme_list.html", context)


@login_required
def programme_create(request):
    """Configure a new programme."""
    ensure_can(request.user, "people.manage_programme")
    form = ProgrammeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(
                actor=request.user, region=form.cleaned_data["region"], **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added.") % {"name": programme.name})
            return redirect("people:programme_list")
    return render(
        request, "people/programme_form.html", {"form": form, "title": _("Add a programme")}
    )


@login_required
def programme_edit(request, pk: int):
    """Change a programme's settings."""
    programme = selectors.programme_get(user=request.user, pk=pk)
    ensure_can(request.user, "people.manage_programme", programme)
    form = ProgrammeForm(request.POST or None, user=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                actor=request.user,
                programme=programme,
                expected_version=form.cleaned_data["version"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": programme.name})
            return redirect("people:programme_list")
    return render(
        request,
        "people/programme_form.html",
        {
            "form": form,
            "programme": programme,
            "title": _("Edit programme"),
            "history": audit_history(request.user, programme),
        },
    )


# ---- the roster ----


def _roster_filter(request):
    return PostingFilterSet(
        request.GET, queryset=selectors.posting_roster(user=request.user), request=request
    )


@login_required
def roster(request):
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


def _specialties(posting) -> str:
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
def roster_export(request):
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
def posting_counts(request):
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


def _posting_for(request, pk: int, perm: str | None = None):
    """A posting in the user's scope (else 404) on which the user holds `perm`, or without
    one that the user may read (else 403)."""
    if perm is None:
        return selectors.posting_read(user=request.user, pk=pk)
    posting = selectors.posting_get(user=request.user, pk=pk)
    ensure_can(request.user, perm, posting)
    return posting


@login_required
def posting_detail(request, pk: int):
    """One posting: person, host, term, benefits, subsidy owed, letter, history."""
    posting = _posting_for(request, pk)
    user = request.user
    owed = services.subsidy_owed(posting)
    status = posting.current_status
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


@login_required
def posting_create(request):
    """Dispatch one person now (成熟一个，下派一个), outside any batch."""
    ensure_can(request.user, "people.add_posting")
    form = PostingCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            posting = services.posting_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s posted.") % {"name": posting.person.name})
            return redirect("people:posting_detail", pk=posting.pk)
    initial_person = request.GET.get("person")
    if request.method == "GET" and initial_person:
        form.initial["person"] = initial_person
    return render(
        request, "people/posting_form.html", {"form": form, "title": _("Dispatch a cadre")}
    )


@login_required
def posting_edit(request, pk: int):
    """Change benefits, engagement, dispatch level, host unit or term end of a posting."""
    posting = _posting_for(request, pk, "people.change_posting")
    form = PostingEditForm(request.POST or None, user=request.user, posting=posting)
    if request.method == "POST" and form.is_valid():
        try:
            services.posting_update(
                actor=request.user,
                posting=posting,
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
                **form.service_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Posting saved."))
            return redirect("people:posting_detail", pk=posting.pk)
    return render(
        request,
        "people/posting_form.html",
        {"form": form, "posting": posting, "title": _("Edit posting")},
    )


def _posting_action(request, pk, *, perm, form_class, initial, act, title, intro, button, danger):
    """A confirmation page for one step of a posting (start, recall, withdraw)."""
    posting = _posting_for(request, pk, perm)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            act(posting, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("people:posting_detail", pk=posting.pk)
    context = {
        "posting": posting,
        "form": form,
        "title": title,
        "intro": intro,
        "button": button,
        "danger": danger,
    }
    return render(request, "people/posting_action.html", context)


@login_required
def posting_activate(request, pk: int):
    """The cadre took up the post (到岗)."""

    def act(posting, data):
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
def posting_recall(request, pk: int):
    """Recall the cadre to the home unit (退回原单位): reason, date, confirmation."""

    def act(posting, data):
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
def posting_withdraw(request, pk: int):
    """Call off a planned posting."""

    def act(posting, data):
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
def posting_letter(request, pk: int):
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
    if request.method == "POST" and form.is_valid() and targets.is_valid():
        try:
            services.letter_sign(
                actor=request.user,
                posting=posting,
                signed_on=form.cleaned_data["signed_on"],
                file=form.cleaned_data["file"],
                targets=[t.cleaned_data for t in targets.forms if t.cleaned_data],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Responsibility letter saved."))
            return redirect("people:posting_detail", pk=posting.pk)
    context = {"posting": posting, "letter": letter, "form": form, "targets": targets}
    return render(request, "people/posting_letter.html", context)


# ---- the cadre's own page ----


@login_required
def my_postings(request):
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
