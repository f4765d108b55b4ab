import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import ID_MING
from tiantou.core.models import AuditEntry
from tiantou.people import services
from tiantou.people.choices import PostingEventKind, PostingStatus
from tiantou.people.models import Person, Posting
from tiantou.people.titles import post_title
from tiantou.regions.choices import RegionKind


def test_id_number_is_stored_protected_and_shown_masked(person_ming, bob, alice, dana):
    stored = Person.objects.get(pk=person_ming.pk)
    assert ID_MING not in stored.id_number_encrypted
    assert stored.id_number_masked == "**************1232"
    assert services.person_id_number(actor=bob, person=stored).text == ID_MING
    assert services.person_id_number(actor=dana, person=stored).text == "**************1232"
    # No audit row carries the number in clear.
    assert not AuditEntry.objects.filter(after__icontains=ID_MING).exists()


def test_a_bad_or_repeated_id_number_is_refused(bob, county, person_ming):
    with pytest.raises(ValidationError) as error:
        services.person_create(
            actor=bob, name="错号", region=county, id_number="371321199001011233"
        )
    assert "id_number" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.person_create(actor=bob, name="重号", region=county, id_number=ID_MING)
    assert Person.objects.count() == 1


def test_titles_follow_the_township_kind(township_a, county):
    township_a.kind = RegionKind.TOWN
    assert post_title("deputy", township_a) == "科技副镇长"
    township_a.kind = RegionKind.TOWNSHIP
    assert post_title("deputy", township_a) == "科技副乡长"
    township_a.kind = RegionKind.FARM
    assert post_title("deputy", township_a) == "科技副场长"
    township_a.kind = RegionKind.SUBDISTRICT
    assert post_title("deputy", township_a) == "科技副主任"
    township_a.kind = RegionKind.TOWN
    assert post_title("assistant", township_a) == "镇长科技助理"
    assert post_title("commissioner", township_a) == "科技特派员"


def test_a_posting_takes_the_programme_defaults(posting_ming):
    assert posting_ming.title == "科技副镇长"
    assert posting_ming.ends_on == datetime.date(2028, 2, 29)
    assert posting_ming.monthly_subsidy == Decimal("150")
    assert posting_ming.treatment_grade == "副科级"
    kinds = list(posting_ming.events.values_list("kind", flat=True))
    assert kinds == [PostingEventKind.CREATED, PostingEventKind.ACTIVATED]


def test_terms_of_one_programme_cannot_overlap(bob, posting_ming, township_b):
    with pytest.raises(ValidationError) as error:
        services.posting_create(
            actor=bob,
            person=posting_ming.person,
            programme=posting_ming.programme,
            host_region=township_b,
            starts_on=datetime.date(2027, 1, 1),
        )
    assert error.value.code == "overlap"
    # After the term, a new one is fine.
    later = services.posting_create(
        actor=bob,
        person=posting_ming.person,
        programme=posting_ming.programme,
        host_region=township_b,
        starts_on=datetime.date(2028, 3, 1),
    )
    assert later.status == PostingStatus.PLANNED


def test_an_ended_term_reads_as_completed(posting_ming):
    assert posting_ming.effective_status(datetime.date(2028, 2, 29)) == PostingStatus.ACTIVE
    assert posting_ming.effective_status(datetime.date(2028, 3, 1)) == PostingStatus.COMPLETED
    annotated = Posting.objects.with_effective_status(datetime.date(2028, 3, 1)).get()
    assert annotated.current_status == PostingStatus.COMPLETED
    assert services.postings_close_ended(today=datetime.date(2028, 3, 1)) == 1
    posting_ming.refresh_from_db()
    assert posting_ming.status == PostingStatus.COMPLETED
    assert posting_ming.ended_on == datetime.date(2028, 2, 29)


def test_recall_needs_a_reason_and_stops_the_subsidy_that_day(bob, posting_ming):
    with pytest.raises(ValidationError):
        services.posting_recall(actor=bob, posting=posting_ming, reason=" ")
    recalled = services.posting_recall(
        actor=bob,
        posting=posting_ming,
        reason="无故不在岗，戒免谈话后仍未改正",
        on=datetime.date(2025, 5, 16),
    )
    assert recalled.status == PostingStatus.RECALLED
    assert recalled.ended_on == datetime.date(2025, 5, 16)
    owed = services.subsidy_owed(recalled, until=datetime.date(2026, 1, 1))
    assert owed == [
        (datetime.date(2025, 3, 1), Decimal("150.00")),
        (datetime.date(2025, 4, 1), Decimal("150.00")),
        (datetime.date(2025, 5, 1), Decimal("77.42")),  # 16 of 31 days
    ]
    event = recalled.events.get(kind=PostingEventKind.RECALLED)
    assert event.actor == bob and "戒免谈话" in event.note
    assert AuditEntry.objects.filter(object_id=str(recalled.pk), note__contains="戒免").exists()


def test_only_those_allowed_may_recall(alice, dana, posting_ming):
    for actor in (alice, dana):
        with pytest.raises(PermissionDenied):
            services.posting_recall(actor=actor, posting=posting_ming, reason="x")


def test_subsidy_owed_runs_to_today_for_an_active_posting(posting_ming):
    owed = services.subsidy_owed(posting_ming, until=datetime.date(2025, 4, 15))
    assert owed == [
        (datetime.date(2025, 3, 1), Decimal("150.00")),
        (datetime.date(2025, 4, 1), Decimal("75.00")),
    ]
