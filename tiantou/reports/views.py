"""Report pages: the list and the new-report form, a draft with paragraph editing, issuing,
regenerating, issued versions with every number linked to its records, downloads, and the
year's settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.accounts.scoping import scope_for
from tiantou.core.forms import add_service_errors
from tiantou.core.views import errors_to_messages, file_response, posted_version, year_asked
from tiantou.indicators.selectors import home_region
from tiantou.regions.models import Region

from . import kinds, selectors, services
from . import render as renderers
from .document import CHART, TABLE, Document
from .forms import BlockEditForm, ReportNewForm, SettingForm


def _region_in_scope(user, code: str) -> Region:
    code = (code or "").strip()
    if not (code.isdigit() and len(code) == 12) or not scope_for(user).contains_code(code):
        raise ValidationError({"region": _("This region is not in your area.")})
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": _("There is no region with this code.")})
    return region


@login_required
def report_list(request):
    """The user's reports and the form to write a new one."""
    ensure_can(request.user, "reports.view_report")
    home = home_region(request.user)
    form = ReportNewForm(
        request.POST or None,
        initial={
            "region": home.code if home else "",
            "period": str(timezone.localdate().year),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            region = _region_in_scope(request.user, form.cleaned_data["region"])
            report = services.report_generate(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                region=region,
                period=form.cleaned_data["period"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft is written from the data. Edit, then issue."))
            return redirect("reports:report_detail", pk=report.pk)
    return render(
        request,
        "reports/report_list.html",
        {
            "form": form,
            "reports": selectors.report_list(user=request.user)[:200],
            "can_write": has_perm(request.user, "reports.add_report"),
            "kinds": kinds.all_kinds(),
        },
    )


@login_required
def report_detail(request, pk: int):
    """The draft, editable part by part, with its issued versions."""
    report = selectors.report_get(user=request.user, pk=pk)
    ensure_can(request.user, "reports.view_report", report)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "document": Document.from_json(report.draft),
            "versions": selectors.version_list(report),
            "can_edit": has_perm(request.user, "reports.change_report", report),
            "can_issue": has_perm(request.user, "reports.issue_report", report),
            "formats": _formats(),
        },
    )


@login_required
def block_edit(request, pk: int, block_id: str):
    """Edit the words of one part of the draft (inline with htmx, or as a page)."""
    report = selectors.report_get(user=request.user, pk=pk)
    ensure_can(request.user, "reports.change_report", report)
    document = Document.from_json(report.draft)
    try:
        block = document.block(block_id)
    except KeyError:
        raise Http404 from None
    if block.kind in (TABLE, CHART):
        raise Http404
    initial_text = "\n".join(block.items) if block.kind == "items" else block.text
    form = BlockEditForm(
        request.POST or None, initial={"text": initial_text, "version": report.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.block_edit(
                actor=request.user,
                report=report,
                block_id=block_id,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # A new address (not only a new #fragment), so the browser loads the page again
            # and the issue button carries the draft's new version.
            url = (
                reverse("reports:report_detail", args=[pk]) + f"?edited={block_id}#block-{block_id}"
            )
            if request.htmx:
                return HttpResponseClientRedirect(url)
            return redirect(url)
    template = "reports/block_edit.html" if request.htmx else "reports/block_edit_page.html"
    # Not "block": inside {% block %} tags that name is Django's own.
    return render(request, template, {"report": report, "part": block, "form": form})


@login_required
@require_POST
def report_issue(request, pk: int):
    """Freeze the draft as the next numbered version."""
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        version = services.report_issue(
            actor=request.user, report=report, expected_version=posted_version(request)
        )
    except ValidationError as error:
        errors_to_messages(request, error)
        return redirect("reports:report_detail", pk=pk)
    messages.success(request, _("Version %(n)s is issued and frozen.") % {"n": version.number})
    return redirect("reports:version_detail", pk=pk, number=version.number)


@login_required
@require_POST
def report_regenerate(request, pk: int):
    """Write the draft again from today's data; issued versions stay as they were."""
    report = selectors.report_get(user=request.user, pk=pk)
    try:
        services.report_regenerate(
            actor=request.user, report=report, expected_version=posted_version(request)
        )
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The draft is written again from today's data."))
    return redirect("reports:report_detail", pk=pk)


@login_required
def version_detail(request, pk: int, number: int):
    """An issued version as it was issued; every number opens the records behind it."""
    version = selectors.version_get(user=request.user, pk=pk, number=number)
    ensure_can(request.user, "reports.view_report", version.report)
    return render(
        request,
        "reports/version_detail.html",
        {
            "report": version.report,
            "version": version,
            "document": Document.from_json(version.content),
            "formats": _formats(),
        },
    )


@login_required
def report_download(request, pk: int, fmt: str):
    """The current draft as Word, PDF, Excel (its tables) or plain text."""
    report = selectors.report_get(user=request.user, pk=pk)
    ensure_can(request.user, "reports.view_report", report)
    return _download(request, Document.from_json(report.draft), fmt, f"{report.title}（草稿）")


@login_required
def version_download(request, pk: int, number: int, fmt: str):
    """An issued version as Word, PDF, Excel (its tables) or plain text."""
    version = selectors.version_get(user=request.user, pk=pk, number=number)
    ensure_can(request.user, "reports.view_report", version.report)
    name = f"{version.title}（第{version.number}版）"
    return _download(request, Document.from_json(version.content), fmt, name)


@login_required
def setting_edit(request):
    """The year's guiding-ideology phrase and issuing body of the user's home region."""
    region = home_region(request.user)
    if region is None:
        raise Http404
    ensure_can(request.user, "reports.change_report", region)
    year = year_asked(request)
    current = selectors.setting_get(region=region, year=year)
    initial: dict[str, object] = {"year": year, "version": current.version if current else None}
    if current:
        initial |= {"guiding_ideology": current.guiding_ideology, "issuer": current.issuer}
    form = SettingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.setting_save(
                actor=request.user,
                region=region,
                year=data["year"],
                guiding_ideology=data["guiding_ideology"],
                issuer=data["issuer"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved. Drafts written from now on quote it."))
            return redirect(reverse("reports:setting_edit") + f"?year={data['year']}")
    return render(request, "reports/setting_form.html", {"form": form, "region": region})


def _formats() -> list[tuple[str, str]]:
    return [("docx", "Word"), ("pdf", "PDF"), ("xlsx", "Excel"), ("md", _("Plain text"))]


def _download(request, document: Document, fmt: str, name: str) -> HttpResponse:
    if fmt not in renderers.FORMATS:
        raise Http404
    spec = renderers.FORMATS[fmt]
    body = renderers.render(document, fmt, base_url=request.build_absolute_uri("/")[:-1])
    return file_response(body, spec.content_type, f"{name}.{spec.extension}")
