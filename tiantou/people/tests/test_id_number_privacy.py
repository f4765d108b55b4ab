"""Issue 18 (1): who may not read a full ID number never sees digits beyond the last 4
together with the birth date, on any page, API answer or export; each full read is audited."""

import datetime
import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from conftest import ID_MING
from tiantou.accounts import services as account_services
from tiantou.accounts.models import Membership, User
from tiantou.accounts.roles import Role
from tiantou.core.models import AuditAction, AuditEntry
from tiantou.people import selectors, services
from tiantou.people.models import Person

pytestmark = pytest.mark.django_db
BORN = datetime.date(1990, 1, 1)  # digits 7 to 14 of ID_MING
MASKED = "**************1232"
# What would give the number away beside the last 4: the birth date in any spelling, or
# any of the first 14 characters shown in a row.
REVEALING = ("1990-01-01", "19900101", "1990年1月1日", "1990/01/01", ID_MING[:14], ID_MING[6:])


@pytest.fixture
def born(bob, posting_ming):
    """ming's person with a birth date, set through the service (an audited change)."""
    person = posting_ming.person
    services.person_update(
        actor=bob, person=person, expected_version=person.version, birth_date=BORN
    )
    return Person.objects.get(pk=person.pk)


def _member(username, role, *, region=None, organisation=None) -> User:
    user = User.objects.create_user(username=username, password="x-Tiantou-2026")
    Membership.objects.create(user=user, role=role, region=region, organisation=organisation)
    return user


@pytest.fixture
def kx(county):
    return _member("kx", Role.SCIENCE_ASSOCIATION, region=county)


@pytest.fixture
def unit(home_unit):
    return _member("unit", Role.HOME_UNIT, organisation=home_unit)


NO_FULL_ID = ["alice", "dana", "kx", "unit", "ming"]


def _api(user) -> Client:
    _token, raw = account_services.token_create(actor=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _assert_nothing_revealing(text: str) -> None:
    for piece in REVEALING:
        assert piece not in text, piece


def _roster_text(response) -> str:
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return " ".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


@pytest.mark.parametrize("who", NO_FULL_ID)
def test_the_person_page_shows_the_last_4_and_the_age_only(client_for, request, born, who):
    user = request.getfixturevalue(who)
    response = client_for(user).get(reverse("people:person_detail", args=[born.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert response.context["id_number"] == MASKED and MASKED in content
    assert 'data-testid="age"' in content and 'data-testid="birth-date"' not in content
    assert str(born.age) in content
    _assert_nothing_revealing(content)
    assert not AuditEntry.objects.filter(note__icontains="ID", actor=user).exists()


@pytest.mark.parametrize("who", NO_FULL_ID)
def test_the_api_gives_the_last_4_and_the_age_without_the_birth_date(request, born, who):
    client = _api(request.getfixturevalue(who))
    detail = client.get(f"/api/v1/people/{born.pk}")
    assert detail.status_code == 200
    body = detail.json()
    assert body["birth_date"] is None and body["age"] == born.age
    assert body["id_number"] == body["id_number_masked"] == MASKED
    assert body["id_number_is_full"] is False
    _assert_nothing_revealing(detail.content.decode())
    listed = client.get("/api/v1/people/")
    if listed.status_code == 200:  # a cadre may not list the register (403)
        rows = listed.json()["items"]
        assert [r["birth_date"] for r in rows] == [None] and rows[0]["id_number_masked"] == MASKED
        _assert_nothing_revealing(listed.content.decode())
    else:
        assert listed.status_code == 403


@pytest.mark.parametrize("who", NO_FULL_ID)
def test_the_roster_export_shows_neither(client_for, request, born, who):
    response = client_for(request.getfixturevalue(who)).get(reverse("people:roster_export"))
    assert response.status_code == 200
    text = _roster_text(response)
    assert born.name in text
    _assert_nothing_revealing(text)


def _person_entries(person: Person) -> QuerySet[AuditEntry]:
    """The person's own audit rows (log-ins are rows of users, whose ids may be the same)."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    )


def test_the_audit_history_hides_the_birth_date_and_the_old_mask(client_for, kx, born):
    # An audit row written before the mask changed carries the region beside the last 4.
    entry = _person_entries(born).filter(action=AuditAction.UPDATE).first()
    assert entry is not None and entry.before is not None and entry.after is not None
    # The log is append-only: the old row is written as a new one.
    entry.pk, entry._state.adding = None, True
    entry.before = {**entry.before, "id_number_masked": "371321********1232"}
    entry.after = {**entry.after, "id_number_masked": MASKED}
    entry.save()
    response = client_for(kx).get(reverse("people:person_detail", args=[born.pk]))
    assert response.context["history"]  # the 科协 reads the audit log in the county
    content = response.content.decode()
    _assert_nothing_revealing(content)
    assert "371321********" not in content


def test_those_allowed_see_the_full_number_and_the_birth_date_and_each_read_is_audited(
    client_for, bob, born
):
    reads = _person_entries(born).filter(action=AuditAction.OTHER)
    response = client_for(bob).get(reverse("people:person_detail", args=[born.pk]))
    content = response.content.decode()
    assert ID_MING in content and 'data-testid="birth-date"' in content and "1990-01-01" in content
    assert reads.count() == 1
    read = reads.get()
    assert read.actor == bob and read.object_repr == born.name and read.at
    assert ID_MING not in json.dumps(read.after)
    body = _api(bob).get(f"/api/v1/people/{born.pk}").json()
    assert body["id_number"] == ID_MING and body["birth_date"] == "1990-01-01"
    assert reads.count() == 2
    # Lists never carry the full number, so they read nothing.
    _api(bob).get("/api/v1/people/")
    assert reads.count() == 2


def test_can_read_id_number_is_the_one_rule(bob, alice, dana, ming, born):
    assert selectors.can_read_id_number(bob, born)
    assert not any(selectors.can_read_id_number(u, born) for u in (alice, dana, ming))


def test_age_counts_whole_years(person_ming):
    person_ming.birth_date = datetime.date(1990, 6, 15)
    assert person_ming.age_on(datetime.date(2026, 6, 14)) == 35
    assert person_ming.age_on(datetime.date(2026, 6, 15)) == 36
    person_ming.birth_date = None
    assert person_ming.age is None
