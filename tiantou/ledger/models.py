"""The work ledger (工作台帐): activities with typed measures and evidence, and the oversight
of cadres around it: work reports, spot checks, discipline and training."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiantou.core.models import TimeStampedModel, VersionedModel
from tiantou.people.models import Posting, Specialty
from tiantou.regions.models import Organisation, Region

from .choices import (
    MEASURE_KEYS,
    ActivityStatus,
    DisciplineLevel,
    RecipientKind,
    SpotCheckResult,
    TechnologyKind,
)
from .querysets import ActivityQuerySet, DisciplineCaseQuerySet, PostingOwnedQuerySet


class ActivityType(models.Model):
    """A kind of field work (training, technology promotion, 科技活动周 …) and the measures
    it records. Configurable per deployment; the standard list comes with the first
    migration."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40)
    measures = models.JSONField(_("measures recorded"), default=list, blank=True)
    required_measures = models.JSONField(_("measures required"), default=list, blank=True)
    records_technologies = models.BooleanField(_("records technologies"), default=False)
    # Above this many participants a record is flagged for the confirming admin.
    usual_max_participants = models.PositiveIntegerField(
        _("usual largest attendance"), null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("activity type")
        verbose_name_plural = _("activity types")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Technology(models.Model):
    """A technology or crop/livestock variety in the catalogue, so that promotions count
    distinct technologies (推广新技术7项), not mentions."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=TechnologyKind.choices)
    specialty = models.ForeignKey(
        Specialty, verbose_name=_("specialty"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="technology_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Activity(VersionedModel):
    """One piece of field work, recorded once: who organised it, where, when, what it
    counted. Only confirmed (or locked) records count anywhere."""

    uuid = models.UUIDField(_("record id"), default=uuid.uuid4, unique=True, editable=False)
    activity_type = models.ForeignKey(
        ActivityType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    posting = models.ForeignKey(
        Posting,
        verbose_name=_("organised by (cadre)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organised by (unit)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    # Measures (see choices.MEASURES): typed columns, summed by the indicator engine.
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    experts = models.PositiveIntegerField(_("experts"), null=True, blank=True)
    consultations = models.PositiveIntegerField(_("consultations"), null=True, blank=True)
    materials = models.PositiveIntegerField(_("materials handed out"), null=True, blank=True)
    boards = models.PositiveIntegerField(_("display boards"), null=True, blank=True)
    enterprises = models.PositiveIntegerField(_("enterprises"), null=True, blank=True)
    area_mu = models.DecimalField(
        _("area (mu)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    output_value = models.DecimalField(
        _("output value (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    technologies = models.ManyToManyField(
        Technology, verbose_name=_("technologies and varieties"), blank=True, related_name="+"
    )
    # Where the record was made, from the phone (for the photo-distance check).
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ActivityStatus.choices,
        default=ActivityStatus.DRAFT,
        db_index=True,
    )
    status_reason = models.TextField(_("reason"), blank=True)
    # What a restore returns a deleted record to; empty unless the record is deleted. Also
    # a database default, for the generators that insert records with SQL.
    status_before_deletion = models.CharField(
        _("status before deletion"),
        max_length=12,
        choices=ActivityStatus.choices,
        blank=True,
        default="",
        db_default="",
    )
    flags = models.JSONField(_("evidence flags"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by_party = models.CharField(
        _("confirmed by the served party"), max_length=100, blank=True
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_on", "-id"]
        indexes = [
            # Place and date, covering what the indicator engine sums and counts, so that
            # a county-year's indicators read this index alone (an index-only scan), not
            # tens of thousands of heap pages (PostgreSQL; elsewhere a plain index).
            models.Index(
                fields=["region", "starts_on"],
                include=[
                    "status",
                    "activity_type",
                    "posting",
                    *MEASURE_KEYS,
                    "id",
                ],
                name="activity_indicator_cover",
            ),
            models.Index(fields=["status", "starts_on"]),
            models.Index(fields=["activity_type", "starts_on"]),
            models.Index(fields=["posting", "starts_on"]),
            # The list's order: newest first, read backwards for a LIMIT 50 page.
            models.Index(fields=["-starts_on", "-id"], name="activity_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="activity_ends_after_start",
            )
        ]
        permissions = [
            ("confirm_activity", "Can confirm or reject activities"),
            ("reopen_activity", "Can reopen locked activities"),
            ("import_activity", "Can import the ledger from Excel"),
            ("close_period", "Can close a ledger period"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def scope_region_code(self) -> str:
        return self.region_id

    @property
    def scope_organisation_ids(self) -> set[int]:
        return {self.organisation_id} if self.organisation_id else set()


class ActivityPhoto(TimeStampedModel):
    """A photo of an activity, with when and where it was taken (EXIF, or the browser's
    location as a fallback) and a perceptual hash to spot a photo used twice."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("photo"), upload_to="activities/%Y/%m/")
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    location_source = models.CharField(_("location from"), max_length=8, blank=True)
    phash = models.CharField(_("perceptual hash"), max_length=16, blank=True, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.activity} · {self.pk}"

    @property
    def scope_region_code(self) -> str:
        return self.activity.region_id


class ConfirmationLink(TimeStampedModel):
    """A one-time link with which the served party confirms an activity."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("confirmation link")
        verbose_name_plural = _("confirmation links")

    def __str__(self) -> str:
        return f"{self.activity} · {self.expires_at:%Y-%m-%d}"

    @property
    def scope_region_code(self) -> str:
        return self.activity.region_id


class LedgerPeriod(models.Model):
    """A closed month of a region's ledger: its confirmed records are locked."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("closed period")
        verbose_name_plural = _("closed periods")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "month"], name="period_unique")
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}-{self.month:02d}"

    @property
    def scope_region_code(self) -> str:
        return self.region_id


class WorkReport(VersionedModel):
    """A cadre's 思想和工作汇报 (1–2 a year), read by three recipients."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="work_reports")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveSmallIntegerField(_("number in the year"), default=1)
    due_on = models.DateField(_("due on"))
    study = models.TextField(_("study"), blank=True)
    work = models.TextField(_("work"), blank=True)
    thoughts = models.TextField(_("thoughts"), blank=True)
    requests = models.TextField(_("opinions and requests"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = PostingOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("work report")
        verbose_name_plural = _("work reports")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["posting", "year", "number"], name="work_report_unique_number"
            )
        ]
        permissions = [("read_workreport", "Can read and mark work reports")]

    def __str__(self) -> str:
        return f"{self.posting.person} {self.year}-{self.number}"

    @property
    def scope_region_code(self) -> str:
        return self.posting.host_region_id

    @property
    def scope_organisation_ids(self) -> set[int]:
        return self.posting.scope_organisation_ids


class WorkReportRead(models.Model):
    """One recipient's mark that a work report was read."""

    report = models.ForeignKey(WorkReport, on_delete=models.CASCADE, related_name="reads")
    recipient = models.CharField(_("recipient"), max_length=16, choices=RecipientKind.choices)
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report read")
        verbose_name_plural = _("reports read")
        constraints = [
            models.UniqueConstraint(fields=["report", "recipient"], name="report_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.report} · {self.get_recipient_display()}"


class SpotCheckDraw(models.Model):
    """A random draw of active postings to check (随机查岗). The seed and the population are
    kept, so that anyone can redo the draw and see it was fair."""

    region = models.ForeignKey(Region, verbose_name=_("drawn in"), on_delete=models.PROTECT)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn at"), auto_now_add=True)
    seed = models.BigIntegerField(_("random seed"))
    size = models.PositiveSmallIntegerField(_("number drawn"))
    population = models.JSONField(_("postings drawn from"), default=list)

    class Meta:
        verbose_name = _("spot-check draw")
        verbose_name_plural = _("spot-check draws")
        ordering = ["-drawn_at"]
        permissions = [("draw_spotcheck", "Can draw and record spot checks")]

    def __str__(self) -> str:
        return f"{self.region} {self.drawn_at:%Y-%m-%d}"

    @property
    def scope_region_code(self) -> str:
        return self.region_id


class SpotCheck(models.Model):
    """One drawn posting and what the inspector found."""

    draw = models.ForeignKey(SpotCheckDraw, on_delete=models.CASCADE, related_name="checks")
    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="spot_checks")
    result = models.CharField(
        _("result"), max_length=8, choices=SpotCheckResult.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    objects = PostingOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("spot check")
        verbose_name_plural = _("spot checks")
        constraints = [
            models.UniqueConstraint(fields=["draw", "posting"], name="spot_check_once_per_draw")
        ]

    def __str__(self) -> str:
        return f"{self.posting} · {self.get_result_display()}"

    @property
    def scope_region_code(self) -> str:
        return self.posting.host_region_id


class DisciplineCase(TimeStampedModel):
    """A discipline case opened by an unexcused absence (or by hand), escalating
    批评教育 → 戒免谈话 → recall."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="discipline")
    spot_check = models.OneToOneField(
        SpotCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="case"
    )
    reason = models.TextField(_("reason"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = DisciplineCaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("discipline case")
        verbose_name_plural = _("discipline cases")
        ordering = ["-created_at"]
        permissions = [("manage_discipline", "Can open and escalate discipline cases")]

    def __str__(self) -> str:
        return f"{self.posting.person} · {self.created_at:%Y-%m-%d}"

    @property
    def scope_region_code(self) -> str:
        return self.posting.host_region_id

    @property
    def scope_organisation_ids(self) -> set[int]:
        """A case belongs to the person's home unit only (not to the host unit)."""
        unit = self.posting.person.home_unit_id
        return {unit} if unit else set()


class DisciplineStep(models.Model):
    """One rung of the ladder, with who took it, when and why."""

    case = models.ForeignKey(DisciplineCase, on_delete=models.CASCADE, related_name="steps")
    level = models.PositiveSmallIntegerField(_("step"), choices=DisciplineLevel.choices)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("discipline step")
        verbose_name_plural = _("discipline steps")
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["case", "level"], name="discipline_step_once")
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_level_display()}"


class TrainingRecord(TimeStampedModel):
    """Hours of S&T training a cadre attended, counted against the programme's guarantee."""

    posting = models.ForeignKey(Posting, on_delete=models.PROTECT, related_name="trainings")
    attended_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    topic = models.CharField(_("topic"), max_length=200)
    organiser = models.CharField(_("organised by"), max_length=100, blank=True)

    objects = PostingOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cadre training")
        verbose_name_plural = _("cadre trainings")
        ordering = ["-attended_on"]

    def __str__(self) -> str:
        return f"{self.posting.person} {self.attended_on} {self.hours}"

    @property
    def scope_region_code(self) -> str:
        return self.posting.host_region_id
