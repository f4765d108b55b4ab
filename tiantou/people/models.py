"""People, dispatch programmes, selection batches and postings (科技副职, 科技特派员, …)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tiantou.core.models import TimeStampedModel, VersionedModel
from tiantou.regions.models import Organisation, Region

from .choices import (
    ApplicationStatus,
    BatchStatus,
    DispatchLevel,
    Education,
    EngagementMode,
    Gender,
    PoliticalStatus,
    PostingEventKind,
    PostingStatus,
    PostType,
    ProgrammeKind,
    TitleRank,
)
from .querysets import (
    ApplicationQuerySet,
    BatchQuerySet,
    PersonQuerySet,
    PostingQuerySet,
    ProgrammeQuerySet,
)


class Specialty(models.Model):
    """A field of expertise (农业, 畜牧, 林业, …) that people are matched and filtered by."""

    name = models.CharField(_("name"), max_length=30, unique=True)

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Programme(VersionedModel):
    """A dispatch programme of a county or city: who is sent, for how long, with what benefits."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=24, choices=ProgrammeKind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("run by (region)"), on_delete=models.PROTECT, related_name="+"
    )
    default_term_months = models.PositiveSmallIntegerField(
        _("default term (months)"), default=36, validators=[MinValueValidator(1)]
    )
    treatment_grade = models.CharField(_("treatment grade"), max_length=30, blank=True)
    salary_step_up = models.BooleanField(_("salary up one step"), default=False)
    monthly_subsidy = models.DecimalField(
        _("monthly subsidy (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    reports_per_year = models.PositiveSmallIntegerField(
        _("work reports a year"),
        default=2,
        validators=[MinValueValidator(0), MaxValueValidator(2)],
    )
    training_hours_per_year = models.PositiveSmallIntegerField(
        _("training hours guaranteed a year"), null=True, blank=True
    )
    min_title_rank = models.PositiveSmallIntegerField(
        _("lowest professional title rank"), choices=TitleRank.choices, default=TitleRank.NONE
    )
    is_active = models.BooleanField(_("in use"), default=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="programme_unique_name")
        ]
        permissions = [("manage_programme", "Can configure dispatch programmes")]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_region_code(self) -> str:
        return self.region_id


class Person(VersionedModel):
    """Someone who is or may be sent down: the register of S&T personnel (科技人员)."""

    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    ethnic_group = models.CharField(_("ethnic group"), max_length=20, blank=True)
    political_status = models.CharField(
        _("political status"), max_length=20, choices=PoliticalStatus.choices, blank=True
    )
    education = models.CharField(
        _("education"), max_length=20, choices=Education.choices, blank=True
    )
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    title_rank = models.PositiveSmallIntegerField(
        _("title rank"), choices=TitleRank.choices, default=TitleRank.NONE
    )
    specialties = models.ManyToManyField(
        Specialty, verbose_name=_("specialties"), blank=True, related_name="people"
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    home_unit = models.ForeignKey(
        Organisation,
        verbose_name=_("home unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    # The county (or city) whose register the person is on: the base of their scope.
    region = models.ForeignKey(
        Region, verbose_name=_("registered in"), on_delete=models.PROTECT, related_name="+"
    )
    # ID number: encrypted at rest, found through a keyed digest, shown masked.
    id_number_encrypted = models.TextField(blank=True, editable=False)
    id_number_digest = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_digest"],
                condition=~Q(id_number_digest=""),
                name="person_unique_id_number",
            )
        ]
        permissions = [
            ("view_id_number", "Can see full ID numbers"),
            ("import_person", "Can import the roster from Excel"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_region_code(self) -> str:
        return self.region_id

    @property
    def scope_organisation_ids(self) -> set[int]:
        return {self.home_unit_id} if self.home_unit_id else set()

    def age_on(self, day: datetime.date) -> int | None:
        """Age in whole years on `day`; None without a birth date."""
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int | None:
        """Age today: what is shown instead of the birth date to those who may not read the
        full ID number (the birth date is digits 7 to 14 of it)."""
        return self.age_on(timezone.localdate())


class Batch(VersionedModel):
    """One year's selection round of a programme (第N批), with quotas per township."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="batches"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("batch number"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.OPEN
    )
    term_start_on = models.DateField(_("term starts on"))
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("judges"), blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "number"], name="batch_unique_number"
            )
        ]
        permissions = [("manage_batch", "Can run selection batches")]

    def __str__(self) -> str:
        return f"{self.programme} {self.year}年第{self.number}批"

    @property
    def scope_region_code(self) -> str:
        return self.programme.region_id


class BatchQuota(models.Model):
    """How many cadres a batch may send to one township (or other host region)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="quotas")
    region = models.ForeignKey(
        Region, verbose_name=_("township"), on_delete=models.PROTECT, related_name="+"
    )
    quota = models.PositiveSmallIntegerField(_("quota"))

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        ordering = ["region_id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "region"], name="quota_unique_region")
        ]

    def __str__(self) -> str:
        return f"{self.region} × {self.quota}"

    @property
    def scope_region_code(self) -> str:
        return self.region_id


class Application(VersionedModel):
    """A candidate in a batch: recommended by a unit or self-applied, scored, then decided."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="applications"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="applications"
    )
    recommended_by = models.ForeignKey(
        Organisation,
        verbose_name=_("recommended by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    preferred_region = models.ForeignKey(
        Region,
        verbose_name=_("preferred township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.APPLIED,
    )
    allocated_region = models.ForeignKey(
        Region,
        verbose_name=_("allocated to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    allocated_host = models.ForeignKey(
        Organisation,
        verbose_name=_("host unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    quota_override_reason = models.TextField(_("reason for exceeding the quota"), blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["batch_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "person"], name="application_unique_person")
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.batch}"

    @property
    def scope_region_code(self) -> str:
        return self.batch.programme.region_id


class Score(TimeStampedModel):
    """One judge's score of one candidate's competitive defence (竞争答辩)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("judge"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    comment = models.CharField(_("comment"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "judge"], name="score_one_per_judge"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="score_between_0_and_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application} {self.score}"

    @property
    def scope_region_code(self) -> str:
        return self.application.batch.programme.region_id


class Posting(VersionedModel):
    """A person posted to a host for a term: a township, a village, or a base, cooperative,
    association or company in it. The title follows the host township's kind."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="postings"
    )
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="postings"
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="postings",
    )
    application = models.OneToOneField(
        Application,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posting",
    )
    host_region = models.ForeignKey(
        Region, verbose_name=_("host region"), on_delete=models.PROTECT, related_name="+"
    )
    host_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("host unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_postings",
    )
    title = models.CharField(_("post title"), max_length=40)
    mode = models.CharField(
        _("engagement"),
        max_length=12,
        choices=EngagementMode.choices,
        default=EngagementMode.SELECTED,
    )
    post_type = models.CharField(
        _("post type"), max_length=12, choices=PostType.choices, default=PostType.SECONDMENT
    )
    dispatch_level = models.CharField(
        _("dispatched by"),
        max_length=12,
        choices=DispatchLevel.choices,
        default=DispatchLevel.COUNTY,
    )
    is_from_outside_county = models.BooleanField(_("from outside the county"), default=False)
    starts_on = models.DateField(_("term starts on"))
    ends_on = models.DateField(_("term ends on"))
    ended_on = models.DateField(_("left on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PostingStatus.choices, default=PostingStatus.PLANNED
    )
    treatment_grade = models.CharField(_("treatment grade"), max_length=30, blank=True)
    salary_step_up = models.BooleanField(_("salary up one step"), default=False)
    monthly_subsidy = models.DecimalField(
        _("monthly subsidy (yuan)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="posting_term_positive"
            ),
            models.UniqueConstraint(
                fields=["person", "programme"],
                condition=Q(status="active"),
                name="posting_one_active_per_programme",
            ),
        ]
        indexes = [models.Index(fields=["host_region", "status"])]
        permissions = [("recall_posting", "Can recall a posting")]

    def __str__(self) -> str:
        return f"{self.person} · {self.title}"

    @property
    def scope_region_code(self) -> str:
        return self.host_region_id

    @property
    def scope_organisation_ids(self) -> set[int]:
        return {i for i in (self.person.home_unit_id, self.host_organisation_id) if i}

    def effective_status(self, today: datetime.date | None = None) -> str:
        """The status as it reads today: an active posting past its term reads as completed."""
        today = today or timezone.localdate()
        if self.status == PostingStatus.ACTIVE and self.ends_on < today:
            return PostingStatus.COMPLETED
        return self.status

    def get_effective_status_display(self) -> str:
        return str(PostingStatus(self.effective_status()).label)


class PostingEvent(models.Model):
    """A step in a posting's history, shown on its page: who did what, when and why."""

    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=PostingEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("posting event")
        verbose_name_plural = _("posting events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.posting} {self.get_kind_display()}"


class ResponsibilityLetter(TimeStampedModel):
    """The term target-responsibility letter (任期目标责任书) of a posting."""

    posting = models.OneToOneField(Posting, on_delete=models.CASCADE, related_name="letter")
    signed_on = models.DateField(_("signed on"))
    file = models.FileField(_("signed letter"), upload_to="letters/%Y/", blank=True)

    class Meta:
        verbose_name = _("responsibility letter")
        verbose_name_plural = _("responsibility letters")

    def __str__(self) -> str:
        return f"{self.posting} {self.signed_on}"

    @property
    def scope_region_code(self) -> str:
        return self.posting.host_region_id


class LetterTarget(models.Model):
    """One yearly target in a responsibility letter."""

    letter = models.ForeignKey(
        ResponsibilityLetter, on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    description = models.CharField(_("target"), max_length=200)
    target_value = models.DecimalField(
        _("target value"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(_("unit"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["year", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.description}"
