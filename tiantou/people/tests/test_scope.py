from tiantou.accounts.models import Membership, User
from tiantou.people.models import Person, Posting, Programme


def test_people_and_postings_follow_the_host_region(posting_ming, alice, bob, charlie, ming):
    for user, sees in ((alice, True), (bob, True), (charlie, False), (ming, True)):
        assert Posting.objects.visible_to(user).exists() is sees, user
        assert Person.objects.visible_to(user).exists() is sees, user


def test_a_home_unit_sees_its_own_people_only(posting_ming, home_unit):
    unit_user = User.objects.create_user(username="unit", password="x")
    Membership.objects.create(user=unit_user, role="home_unit", organisation=home_unit)
    assert list(Person.objects.visible_to(unit_user)) == [posting_ming.person]
    other = User.objects.create_user(username="other", password="x")
    from tiantou.regions.services import organisation_create

    unit = organisation_create(
        actor=User.objects.get(username="bob"),
        name="县林业局",
        kind="department",
        region=home_unit.region,
    )
    Membership.objects.create(user=other, role="home_unit", organisation=unit)
    assert not Person.objects.visible_to(other).exists()


def test_a_township_sees_the_county_programme(programme, alice, charlie):
    assert list(Programme.objects.visible_to(alice)) == [programme]
    assert list(Programme.objects.visible_to(charlie)) == [programme]
