"""Forms for users, memberships, passwords and tokens: shape only, choices limited to scope."""

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tiantou.core.forms import bootstrap

from . import selectors
from .models import User
from .roles import Role


class _StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap's classes."""

    def _style(self) -> None:
        bootstrap(self)


class UserFilterForm(_StyledForm):
    q = forms.CharField(label=_("Name"), required=False)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("All roles")), *Role.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("Name, user name or phone")
        self._style()


class MembershipFieldsMixin(_StyledForm):
    """Role plus region or organisation, limited to what the actor may grant."""

    def _add_membership_fields(self, actor: User) -> None:
        self.fields["role"] = forms.ChoiceField(
            label=_("Role"), choices=[("", "---------"), *selectors.grantable_roles(actor=actor)]
        )
        self.fields["region"] = forms.ModelChoiceField(
            label=_("Region"),
            queryset=selectors.grant_regions(actor=actor),
            required=False,
            help_text=_("For roles held in a region."),
        )
        self.fields["organisation"] = forms.ModelChoiceField(
            label=_("Organisation"),
            queryset=selectors.grant_organisations(actor=actor),
            required=False,
            help_text=_("For the home-unit and enterprise roles."),
        )

    def _clean_membership(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        role = cleaned.get("role")
        if not role:
            return cleaned
        if role in selectors.organisation_role_values():
            cleaned["region"] = None
            if not cleaned.get("organisation"):
                self.add_error("organisation", _("This role is held on an organisation."))
        else:
            cleaned["organisation"] = None
            if not cleaned.get("region"):
                self.add_error("region", _("This role is held on a region."))
        return cleaned


class MembershipGrantForm(MembershipFieldsMixin):
    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_membership_fields(actor)
        self._style()

    def clean(self) -> dict[str, Any]:
        super().clean()
        return self._clean_membership(self.cleaned_data)


class UserCreateForm(MembershipFieldsMixin):
    username = forms.CharField(label=_("User name"), max_length=150)
    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Tell the person this password; they must change it when they first log in."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_membership_fields(actor)
        self._style()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self._clean_membership(self.cleaned_data)
        password = cleaned.get("password")
        if password:
            probe = User(username=cleaned.get("username", ""), name=cleaned.get("name", ""))
            try:
                validate_password(password, probe)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class _NewPasswordMixin(_StyledForm):
    user: User | None = None

    def _check_twice(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        one, two = cleaned.get("new_password1"), cleaned.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", _("The two passwords do not match."))
        elif one:
            try:
                validate_password(one, self.user)
            except ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned


def _password_field(label):
    return forms.CharField(
        label=label,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SetPasswordForm(_NewPasswordMixin):
    new_password1 = _password_field(_("New password"))
    new_password2 = _password_field(_("New password again"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self._style()

    def clean(self) -> dict[str, Any]:
        super().clean()
        return self._check_twice(self.cleaned_data)


class ChangeOwnPasswordForm(SetPasswordForm):
    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class TokenCreateForm(_StyledForm):
    name = forms.CharField(label=_("Token name"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["placeholder"] = _("What is it for, e.g. statistics sync")
        self._style()
