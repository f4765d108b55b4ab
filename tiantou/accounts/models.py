"""Users, their memberships (user × scope × role) and personal API tokens."""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiantou.core.models import TimeStampedModel

from .roles import Role


class User(AbstractUser):
    """A person who logs in. Chinese names do not split into first and last: `name` is whole."""

    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_demo = models.BooleanField(_("demo account"), default=False)
    # Set when an administrator chose the password (a new account, a reset): the person
    # must replace it before doing anything else.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        permissions = [("manage_users", "Can manage users and memberships in scope")]

    def __str__(self) -> str:
        return self.name or self.username

    @property
    def scope_region_code(self) -> str:
        return ""


class Membership(TimeStampedModel):
    """A role held by a user inside one region subtree or one organisation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "regions.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, organisation__isnull=True)
                | Q(region__isnull=True, organisation__isnull=False),
                name="membership_one_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(organisation__isnull=True),
                name="membership_unique_region",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(region__isnull=True),
                name="membership_unique_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        return str(self.region or self.organisation)

    @property
    def scope_region_code(self) -> str:
        if self.region_id:
            return self.region_id
        return self.organisation.region_id if self.organisation else ""


def hash_token(raw: str) -> str:
    """The stored form of an API token: its SHA-256 hex digest."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(TimeStampedModel):
    """A personal API token. Only its hash is stored; the token is shown once, when made."""

    PREFIX = "tt_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(_("starts with"), max_length=12)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def scope_region_code(self) -> str:
        return ""

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)
