"""Pages for users, memberships, one's own account and personal API tokens."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tiantou.core.forms import add_service_errors
from tiantou.core.views import AuthedRequest, errors_to_messages

from . import selectors, services
from .forms import (
    ChangeOwnPasswordForm,
    MembershipGrantForm,
    SetPasswordForm,
    TokenCreateForm,
    UserCreateForm,
    UserFilterForm,
)
from .permissions import ensure_can
from .roles import Role

USERS_PER_PAGE = 50


def _ensure_manager(request: AuthedRequest) -> None:
    """403 unless the user may manage users somewhere."""
    ensure_can(request.user, "accounts.manage_users")


def _get_user_for_manager(request: AuthedRequest, pk: int):
    _ensure_manager(request)
    return selectors.user_get(actor=request.user, pk=pk)


# ---- users (for administrators) ----


@login_required
def user_list(request: AuthedRequest) -> HttpResponse:
    _ensure_manager(request)
    form = UserFilterForm(request.GET or None)
    role = q = ""
    if form.is_valid():
        role, q = form.cleaned_data["role"], form.cleaned_data["q"]
    users = selectors.user_list(actor=request.user, role=role, q=q)
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    template = "accounts/user_list.html"
    if request.htmx:
        template += "#table"
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        template,
        {"form": form, "page": page, "users": page.object_list, "query": query.urlencode()},
    )


@login_required
def user_create(request: AuthedRequest) -> HttpResponse:
    _ensure_manager(request)
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create_with_membership(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                name=data["name"],
                phone=data["phone"],
                role=data["role"],
                region=data["region"],
                organisation=data["organisation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("User %(name)s created.") % {"name": user})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


def _user_page(request: AuthedRequest, user, **forms) -> HttpResponse:
    memberships, others = selectors.user_memberships(actor=request.user, user=user)
    context = {
        "subject": user,
        "memberships": memberships,
        "other_memberships": others,
        "failed_logins": selectors.failed_logins(user=user),
        "history": selectors.account_history(
            actor=request.user, user=user, memberships=memberships
        ),
        "grant_form": forms.get("grant_form") or MembershipGrantForm(actor=request.user),
        "password_form": forms.get("password_form") or SetPasswordForm(user=user),
        "is_self": user.pk == request.user.pk,
    }
    status = 400 if forms else 200
    return render(request, "accounts/user_detail.html", context, status=status)


@login_required
def user_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _get_user_for_manager(request, pk)
    return _user_page(request, user)


@login_required
@require_POST
def membership_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _get_user_for_manager(request, pk)
    form = MembershipGrantForm(request.POST, actor=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            membership = services.membership_grant(
                actor=request.user,
                user=user,
                role=data["role"],
                region=data["region"],
                organisation=data["organisation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("Granted %(role)s in %(scope)s.")
                % {"role": membership.get_role_display(), "scope": membership.scope_label},
            )
            return redirect("accounts:user_detail", pk=user.pk)
    return _user_page(request, user, grant_form=form)


@login_required
@require_POST
def membership_revoke(request: AuthedRequest, pk: int, membership_pk: int) -> HttpResponse:
    user = _get_user_for_manager(request, pk)
    membership = selectors.membership_get(actor=request.user, user=user, pk=membership_pk)
    label = f"{membership.get_role_display()} · {membership.scope_label}"
    try:
        services.membership_revoke(actor=request.user, membership=membership)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Revoked %(membership)s.") % {"membership": label})
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_deactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _get_user_for_manager(request, pk)
    try:
        services.user_deactivate(actor=request.user, user=user)
    except ValidationError as error:
        errors_to_messages(request, error)
    else:
        messages.success(request, _("The account has been deactivated."))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_reactivate(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _get_user_for_manager(request, pk)
    services.user_reactivate(actor=request.user, user=user)
    messages.success(request, _("The account can log in again."))
    return redirect("accounts:user_detail", pk=user.pk)


@login_required
@require_POST
def user_password(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _get_user_for_manager(request, pk)
    form = SetPasswordForm(request.POST, user=user)
    if form.is_valid():
        try:
            services.user_set_password(
                actor=request.user, user=user, password=form.cleaned_data["new_password1"]
            )
        except ValidationError as error:
            form.add_error("new_password1", error)
        else:
            if user.pk == request.user.pk:
                update_session_auth_hash(request, user)
            messages.success(request, _("The new password has been set."))
            return redirect("accounts:user_detail", pk=user.pk)
    return _user_page(request, user, password_form=form)


@login_required
@require_POST
def user_unlock(request: AuthedRequest, pk: int) -> HttpResponse:
    user = _get_user_for_manager(request, pk)
    services.user_unlock(actor=request.user, user=user)
    messages.success(request, _("The account has been unlocked; the person can log in now."))
    return redirect("accounts:user_detail", pk=user.pk)


# ---- one's own account ----


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    form = ChangeOwnPasswordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_change_own_password(
                actor=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:profile")
    return render(
        request,
        "accounts/profile.html",
        {
            "memberships": selectors.own_memberships(user=request.user),
            "form": form,
            "roles": Role,
        },
        status=400 if form.errors else 200,
    )


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    form = TokenCreateForm(request.POST or None)
    secret = new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            new_token, secret = services.token_create(
                actor=request.user, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The secret is rendered in this response only and never stored in clear.
            form = TokenCreateForm()
    response = render(
        request,
        "accounts/token_list.html",
        {
            "tokens": selectors.token_list(user=request.user),
            "form": form,
            "secret": secret,
            "new_token": new_token,
        },
        status=400 if form.errors else 200,
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(user=request.user, pk=pk)
    services.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token %(name)s revoked; it no longer works.") % {"name": token})
    return redirect("accounts:token_list")
