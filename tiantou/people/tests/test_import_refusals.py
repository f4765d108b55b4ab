"""The refusals of the posting services are also the roster import's, with the same messages.

Each case runs the service with what it would be given and the import with the row that
says the same thing, and expects the service's message among the row's errors.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from conftest import ID_MING, TOWNSHIP_A
from tiantou.people import importers, services
from tiantou.people.models import Posting
from tiantou.regions.services import organisation_create

pytestmark = pytest.mark.django_db


def _refused(call, **arguments) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        call(**arguments)
    return refused.value.messages


def _import_messages(actor, **cells) -> list[str]:
    row = {
        "name": "刘明",
        "id_number": ID_MING,
        "programme": "科技副职",
        "township": TOWNSHIP_A,
        "starts_on": datetime.date(2025, 3, 1),
        "status": "active",
    }
    row |= cells
    result = importers.roster_import(actor=actor, rows=[row], dry_run=True)
    assert not result.ok
    return [error.message for error in result.errors]


def _same(service: list[str], imported: list[str]) -> None:
    assert service, "the service must refuse"
    for message in service:
        assert message in imported, (message, imported)


def test_a_term_ending_before_it_starts(bob, person_ming, programme, township_a):
    start, end = datetime.date(2025, 3, 1), datetime.date(2025, 2, 1)
    _same(
        _refused(
            services.posting_create,
            actor=bob,
            person=person_ming,
            programme=programme,
            host_region=township_a,
            starts_on=start,
            ends_on=end,
        ),
        _import_messages(bob, starts_on=start, ends_on=end),
    )


def test_a_term_overlapping_a_live_one(bob, posting_ming, programme, township_a):
    start = datetime.date(2026, 1, 1)
    _same(
        _refused(
            services.posting_create,
            actor=bob,
            person=posting_ming.person,
            programme=programme,
            host_region=township_a,
            starts_on=start,
        ),
        _import_messages(bob, starts_on=start, status="planned"),
    )


def test_a_host_unit_outside_the_host_township(bob, person_ming, programme, township_a, township_b):
    outside = organisation_create(
        actor=bob, name="孙祖合作社", kind="cooperative", region=township_b
    )
    _same(
        _refused(
            services.posting_create,
            actor=bob,
            person=person_ming,
            programme=programme,
            host_region=township_a,
            starts_on=datetime.date(2025, 3, 1),
            host_organisation=outside,
        ),
        _import_messages(bob, host_organisation="孙祖合作社"),
    )


def test_a_recall_before_the_term_starts(bob, posting_ming):
    before = posting_ming.starts_on - datetime.timedelta(days=1)
    _same(
        _refused(
            services.posting_recall, actor=bob, posting=posting_ming, reason="调动", on=before
        ),
        _import_messages(bob, status="recalled", recalled_on=before, recall_reason="调动"),
    )


def test_a_recall_without_a_reason(bob, posting_ming):
    on = posting_ming.starts_on + datetime.timedelta(days=30)
    _same(
        _refused(services.posting_recall, actor=bob, posting=posting_ming, reason=" ", on=on),
        _import_messages(bob, status="recalled", recalled_on=on, recall_reason=""),
    )


def test_a_second_active_post_in_the_programme(bob, posting_ming, programme, township_a):
    later = posting_ming.ends_on + datetime.timedelta(days=1)
    planned = services.posting_create(
        actor=bob,
        person=posting_ming.person,
        programme=programme,
        host_region=township_a,
        starts_on=later,
    )
    service = _refused(services.posting_activate, actor=bob, posting=planned)
    Posting.objects.filter(pk=planned.pk).delete()
    _same(service, _import_messages(bob, starts_on=later, status="active"))
