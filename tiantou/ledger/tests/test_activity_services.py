"""Rules of recording, submitting, confirming, locking and reopening activities."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tiantou.core.audit import entries_for
from tiantou.core.models import AuditEntry, audit_pruning
from tiantou.ledger import services
from tiantou.ledger.choices import ActivityStatus, FlagKind
from tiantou.ledger.models import Activity, ActivityType, LedgerPeriod, Technology

pytestmark = pytest.mark.django_db

YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def training():
    return ActivityType.objects.get(key="training")


@pytest.fixture
def record(ming, posting_ming, township_a, training):
    """A helper that records a training in township A as ming."""

    def make(actor=None, **overrides):
        fields = {
            "actor": actor or ming,
            "activity_type": training,
            "title": "玉米种植技术培训",
            "region": township_a,
            "starts_on": YESTERDAY,
            "posting": posting_ming,
            "participants": 45,
        }
        fields |= overrides
        return services.activity_create(**fields)

    return make


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# ---- recording ----


def test_create_records_a_draft_with_measures_and_audit(record, ming):
    tech = Technology.objects.get(name="水肥一体化技术")
    activity, created = record(technologies=[tech], experts="2")
    assert created
    assert activity.status == ActivityStatus.DRAFT
    assert activity.participants == 45 and activity.experts == 2
    assert activity.created_by == ming
    assert list(activity.technologies.all()) == [tech]
    assert entries_for(activity).count() == 1


def test_create_with_submit_submits(record):
    activity, _ = record(submit=True)
    assert activity.status == ActivityStatus.SUBMITTED
    assert activity.submitted_at is not None


def test_same_uuid_twice_makes_one_record_and_changes_nothing(record):
    client_id = uuid.uuid4()
    first, created = record(uuid=str(client_id))
    again, created_again = record(uuid=str(client_id), title="别的标题", participants=99)
    assert created and not created_again
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.title == "玉米种植技术培训" and again.participants == 45
    assert Activity.objects.count() == 1


def test_uuid_of_a_record_the_actor_cannot_see_is_refused(record, charlie, township_b):
    client_id = uuid.uuid4()
    record(uuid=client_id)
    training = ActivityType.objects.get(key="training")
    with pytest.raises(ValidationError) as excinfo:
        services.activity_create(
            actor=charlie,
            uuid=client_id,
            activity_type=training,
            title="x",
            region=township_b,
            starts_on=YESTERDAY,
            organisation=None,
            participants=1,
        )
    assert "uuid" in _errors(excinfo)


def test_a_bad_uuid_is_refused(record):
    with pytest.raises(ValidationError) as excinfo:
        record(uuid="not-a-uuid")
    assert "uuid" in _errors(excinfo)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("participants", -1),
        ("participants", "四十"),
        ("participants", "4.5"),
        ("experts", "abc"),
        ("participants", ""),  # required for a training
    ],
)
def test_bad_measures_are_refused_per_field(record, field, value):
    with pytest.raises(ValidationError) as excinfo:
        record(**{field: value})
    assert field in _errors(excinfo)
    assert Activity.objects.count() == 0


def test_decimal_measures_must_be_numbers_of_zero_or_more(record):
    promotion = ActivityType.objects.get(key="tech_promotion")
    with pytest.raises(ValidationError) as excinfo:
        record(activity_type=promotion, participants=None, area_mu="-3", output_value="很多")
    assert set(_errors(excinfo)) == {"area_mu", "output_value"}
    activity, _ = record(activity_type=promotion, participants=None, area_mu="12.5")
    assert activity.area_mu == Decimal("12.50")


def test_measures_the_type_does_not_record_are_refused(record):
    with pytest.raises(ValidationError) as excinfo:
        record(area_mu=10)
    assert "area_mu" in _errors(excinfo)


def test_a_date_in_the_future_is_refused(record):
    with pytest.raises(ValidationError) as excinfo:
        record(starts_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "starts_on" in _errors(excinfo)


def test_an_end_before_the_start_is_refused(record):
    with pytest.raises(ValidationError) as excinfo:
        record(starts_on=YESTERDAY, ends_on=YESTERDAY - datetime.timedelta(days=2))
    assert "ends_on" in _errors(excinfo)


def test_a_range_of_dates_is_kept(record):
    start = YESTERDAY - datetime.timedelta(days=2)
    activity, _ = record(starts_on=start, ends_on=YESTERDAY)
    assert (activity.starts_on, activity.ends_on) == (start, YESTERDAY)


def test_the_place_must_be_a_township_or_village_in_scope(record, bob, county, township_b):
    with pytest.raises(ValidationError) as excinfo:
        record(actor=bob, region=county)
    assert "region" in _errors(excinfo)
    with pytest.raises(PermissionDenied):
        record(region=township_b)


def test_a_village_place_is_accepted(record, township_a):
    from tiantou.regions.models import Region

    village = Region.objects.get(code="371321101001")
    activity, _ = record(region=village)
    assert activity.region == village


def test_someone_elses_posting_needs_the_confirm_right(record, posting_ming, alice, regions):
    from tiantou.accounts.models import Membership, User
    from tiantou.accounts.roles import Role

    other = User.objects.create_user(username="hua", password="x", name="华")
    Membership.objects.create(user=other, role=Role.CADRE, region=regions["a"])
    with pytest.raises(ValidationError) as excinfo:
        record(actor=other)
    assert "posting" in _errors(excinfo)
    # The township admin may record for a cadre of the township.
    activity, _ = record(actor=alice)
    assert activity.posting == posting_ming


def test_technologies_only_for_types_that_record_them(record):
    consultation = ActivityType.objects.get(key="consultation")
    tech = Technology.objects.first()
    with pytest.raises(ValidationError) as excinfo:
        record(activity_type=consultation, participants=None, consultations=3, technologies=[tech])
    assert "technologies" in _errors(excinfo)


def test_an_organiser_is_required(record):
    with pytest.raises(ValidationError) as excinfo:
        record(posting=None)
    assert "posting" in _errors(excinfo)


def test_an_organisation_alone_may_organise(record, home_unit, bob, township_a):
    activity, _ = record(actor=bob, posting=None, organisation=home_unit)
    assert activity.organisation == home_unit


def test_dana_cannot_record(record, dana):
    with pytest.raises(PermissionDenied):
        record(actor=dana)


# ---- editing ----


def test_update_changes_a_draft_and_checks_version(record, ming):
    activity, _ = record()
    services.activity_update(
        actor=ming, activity=activity, expected_version=activity.version, participants=50
    )
    activity.refresh_from_db()
    assert activity.participants == 50
    with pytest.raises(ValidationError):
        services.activity_update(actor=ming, activity=activity, expected_version=1, title="新")


def test_update_refuses_bad_measures_and_keeps_the_record(record, ming):
    activity, _ = record()
    with pytest.raises(ValidationError) as excinfo:
        services.activity_update(actor=ming, activity=activity, participants=-5)
    assert "participants" in _errors(excinfo)
    activity.refresh_from_db()
    assert activity.participants == 45


def test_a_confirmed_record_cannot_be_edited(record, ming, alice):
    activity, _ = record(submit=True)
    services.activity_confirm(actor=alice, activity=activity)
    with pytest.raises(ValidationError):
        services.activity_update(actor=ming, activity=activity, title="改")


def test_another_cadre_cannot_edit_my_record(record, regions):
    from tiantou.accounts.models import Membership, User
    from tiantou.accounts.roles import Role

    activity, _ = record()
    other = User.objects.create_user(username="hua", password="x", name="华")
    Membership.objects.create(user=other, role=Role.CADRE, region=regions["a"])
    with pytest.raises(PermissionDenied):
        services.activity_update(actor=other, activity=activity, title="改")


# ---- confirmation ----


def test_confirm_makes_a_record_count(record, alice):
    activity, _ = record(submit=True)
    assert not Activity.objects.counted().exists()
    services.activity_confirm(actor=alice, activity=activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CONFIRMED
    assert activity.confirmed_by == alice
    assert list(Activity.objects.counted()) == [activity]


def test_only_submitted_records_can_be_confirmed(record, alice):
    activity, _ = record()
    with pytest.raises(ValidationError):
        services.activity_confirm(actor=alice, activity=activity)


def test_a_cadre_cannot_confirm_their_own_record(record, alice, posting_ming):
    # Even an admin who recorded it themselves cannot confirm it.
    activity, _ = record(actor=alice, submit=True)
    with pytest.raises(PermissionDenied):
        services.activity_confirm(actor=alice, activity=activity)


def test_the_organising_cadre_cannot_confirm_even_holding_the_right(record, ming, regions):
    from tiantou.accounts.models import Membership
    from tiantou.accounts.roles import Role
    from tiantou.accounts.scoping import forget_scope

    activity, _ = record(submit=True)
    Membership.objects.create(user=ming, role=Role.TOWNSHIP_ADMIN, region=regions["a"])
    forget_scope(ming)
    with pytest.raises(PermissionDenied):
        services.activity_confirm(actor=ming, activity=activity)
    with pytest.raises(PermissionDenied):
        services.activity_reject(actor=ming, activity=activity, reason="x")


def test_a_township_admin_cannot_confirm_another_townships(record, charlie):
    activity, _ = record(submit=True)
    with pytest.raises(PermissionDenied):
        services.activity_confirm(actor=charlie, activity=activity)


def test_reject_needs_a_reason_and_goes_back_to_the_author(record, alice, ming):
    activity, _ = record(submit=True)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_reject(actor=alice, activity=activity, reason="  ")
    assert "reason" in _errors(excinfo)
    services.activity_reject(actor=alice, activity=activity, reason="照片不清楚")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.REJECTED
    assert activity.status_reason == "照片不清楚"
    services.activity_update(actor=ming, activity=activity, participants=40)
    services.activity_submit(actor=ming, activity=activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED


# ---- periods and reopening ----


def _last_month():
    first = timezone.localdate().replace(day=1)
    return first - datetime.timedelta(days=1)


def test_period_close_locks_confirmed_records_of_the_month(record, alice, bob, county):
    day = _last_month()
    confirmed, _ = record(starts_on=day, submit=True)
    services.activity_confirm(actor=alice, activity=confirmed)
    pending, _ = record(starts_on=day, submit=True)
    services.period_close(actor=bob, region=county, year=day.year, month=day.month)
    confirmed.refresh_from_db()
    pending.refresh_from_db()
    assert confirmed.status == ActivityStatus.LOCKED
    assert pending.status == ActivityStatus.SUBMITTED
    # Confirmed later into the closed month: locked at once.
    services.activity_confirm(actor=alice, activity=pending)
    pending.refresh_from_db()
    assert pending.status == ActivityStatus.LOCKED
    with pytest.raises(ValidationError):
        services.period_close(actor=bob, region=county, year=day.year, month=day.month)
    assert LedgerPeriod.objects.count() == 1


def test_period_close_bumps_versions_and_leaves_one_audit_row_naming_the_month(
    record, alice, bob, county
):
    day = _last_month()
    first, _ = record(starts_on=day, submit=True)
    second, _ = record(starts_on=day, submit=True)
    for activity in (first, second):
        services.activity_confirm(actor=alice, activity=activity)
        activity.refresh_from_db()
    versions = {a.pk: a.version for a in (first, second)}
    rows_before = AuditEntry.objects.count()
    period = services.period_close(actor=bob, region=county, year=day.year, month=day.month)
    for activity in (first, second):
        activity.refresh_from_db()
        assert activity.version == versions[activity.pk] + 1
    assert AuditEntry.objects.count() == rows_before + 1
    entry = entries_for(period).get()
    assert f"{day.year}年{day.month}月" in entry.note and county.name in entry.note
    assert "2" in entry.note


def test_period_close_is_for_the_county_and_past_months(alice, bob, county, township_a):
    day = _last_month()
    with pytest.raises(PermissionDenied):
        services.period_close(actor=alice, region=township_a, year=day.year, month=day.month)
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.period_close(actor=bob, region=county, year=today.year, month=today.month)


def test_reopen_is_the_county_admins_audited_act(record, alice, bob, county, ming):
    day = _last_month()
    activity, _ = record(starts_on=day, submit=True)
    services.activity_confirm(actor=alice, activity=activity)
    services.period_close(actor=bob, region=county, year=day.year, month=day.month)
    with pytest.raises(ValidationError):
        services.activity_update(actor=ming, activity=activity, title="改")
    with pytest.raises(PermissionDenied):
        services.activity_reopen(actor=alice, activity=activity, reason="x")
    with pytest.raises(ValidationError):
        services.activity_reopen(actor=bob, activity=activity, reason="")
    services.activity_reopen(actor=bob, activity=activity, reason="人数填错")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED
    latest = entries_for(activity).first()
    assert latest is not None and latest.note == "人数填错"


# ---- deletion ----


def test_delete_marks_and_restore_undoes(record, ming):
    activity, _ = record(submit=True)
    with pytest.raises(ValidationError):
        services.activity_delete(actor=ming, activity=activity, reason="")
    services.activity_delete(actor=ming, activity=activity, reason="重复录入")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DELETED
    assert Activity.objects.filter(pk=activity.pk).exists()
    services.activity_restore(actor=ming, activity=activity)
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED


def test_restore_reads_the_status_kept_on_the_record_not_the_audit_log(record, alice, ming):
    activity, _ = record(submit=True)
    services.activity_reject(actor=alice, activity=activity, reason="缺照片")
    services.activity_delete(actor=ming, activity=activity, reason="重复录入")
    activity.refresh_from_db()
    assert activity.status_before_deletion == ActivityStatus.REJECTED
    with audit_pruning():  # the test wipes the log; nothing else may
        AuditEntry.objects.all().delete()
    services.activity_restore(actor=ming, activity=activity)
    activity.refresh_from_db()
    assert (activity.status, activity.status_before_deletion) == (ActivityStatus.REJECTED, "")


def test_a_confirmed_record_cannot_be_deleted(record, alice, ming):
    activity, _ = record(submit=True)
    services.activity_confirm(actor=alice, activity=activity)
    with pytest.raises(ValidationError):
        services.activity_delete(actor=ming, activity=activity, reason="x")


# ---- the one-time link ----


def test_a_link_confirms_once(record, ming):
    activity, _ = record(submit=True)
    link, token = services.confirmation_link_create(actor=ming, activity=activity)
    assert token not in link.token_hash
    services.activity_confirm_by_link(token=token, name="张村长")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CONFIRMED
    assert activity.confirmed_by_party == "张村长"
    with pytest.raises(ValidationError) as excinfo:
        services.activity_confirm_by_link(token=token, name="张村长")
    assert excinfo.value.code == "used"


def test_unknown_and_expired_links_are_refused(record, ming):
    activity, _ = record(submit=True)
    link, token = services.confirmation_link_create(actor=ming, activity=activity)
    with pytest.raises(ValidationError) as excinfo:
        services.activity_confirm_by_link(token="wrong", name="x")
    assert excinfo.value.code == "unknown_token"
    link.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    link.save()
    with pytest.raises(ValidationError) as excinfo:
        services.activity_confirm_by_link(token=token, name="x")
    assert excinfo.value.code == "expired"


def test_a_link_needs_a_name(record, ming):
    activity, _ = record(submit=True)
    _link, token = services.confirmation_link_create(actor=ming, activity=activity)
    with pytest.raises(ValidationError):
        services.activity_confirm_by_link(token=token, name=" ")
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.SUBMITTED


# ---- flags ----


def test_unusual_participants_are_flagged_not_blocked(record):
    activity, _ = record(participants=5000, submit=True)
    assert activity.status == ActivityStatus.SUBMITTED
    assert [f["kind"] for f in activity.flags] == [FlagKind.UNUSUAL_PARTICIPANTS]


def test_a_change_of_technologies_is_audited_by_name(record, ming):
    drip, other = Technology.objects.order_by("pk")[:2]
    activity, _ = record(technologies=[drip])
    created = entries_for(activity).get()
    assert created.after is not None and created.after["technologies"] == [drip.pk]
    services.activity_update(actor=ming, activity=activity, technologies=[drip, other])
    latest = entries_for(activity).first()
    assert latest is not None
    label = str(Activity._meta.get_field("technologies").verbose_name)
    rows = {row[0]: row[1:] for row in latest.readable_changes()}
    assert rows[label] == (drip.name, f"{drip.name}、{other.name}")
