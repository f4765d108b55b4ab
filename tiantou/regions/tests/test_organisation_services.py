import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tiantou.core.models import AuditAction, AuditEntry
from tiantou.core.validators import uscc_check_char
from tiantou.regions import services
from tiantou.regions.choices import OrganisationKind
from tiantou.regions.models import Organisation


def uscc(n: int) -> str:
    body = f"91371321MA{n:07d}"
    return body + uscc_check_char(body)


def make(actor, region, name="岸堤合作社", **fields):
    return services.organisation_create(
        actor=actor, name=name, kind=OrganisationKind.COOPERATIVE, region=region, **fields
    )


def test_create_writes_an_audit_row(alice, township_a):
    org = make(alice, township_a, credit_code=uscc(1).lower())
    assert org.credit_code == uscc(1)
    entry = AuditEntry.objects.get()
    assert entry.action == AuditAction.CREATE
    assert entry.region_code == township_a.code


def test_create_outside_scope_is_refused(alice, township_b):
    with pytest.raises(PermissionDenied):
        make(alice, township_b)


def test_viewer_cannot_create(dana, township_a):
    with pytest.raises(PermissionDenied):
        make(dana, township_a)


def test_bad_credit_code_names_the_field(alice, township_a):
    with pytest.raises(ValidationError) as info:
        make(alice, township_a, credit_code=uscc(1)[:-1] + "X")
    assert "credit_code" in info.value.message_dict


def test_duplicate_credit_code_and_name_get_clear_messages(alice, bob, township_a, county):
    make(alice, township_a, credit_code=uscc(1))
    with pytest.raises(ValidationError) as info:
        make(bob, county, name="别的名字", credit_code=uscc(1))
    assert "credit_code" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        make(alice, township_a)
    assert "name" in info.value.message_dict


def test_update_with_stale_version_is_refused(alice, township_a):
    org = make(alice, township_a)
    services.organisation_update(actor=alice, organisation=org, expected_version=1, phone="1")
    stale = Organisation.objects.get(pk=org.pk)
    with pytest.raises(ValidationError) as info:
        services.organisation_update(actor=alice, organisation=stale, expected_version=1, phone="2")
    assert info.value.code == "stale_version"
    assert Organisation.objects.get(pk=org.pk).phone == "1"


def test_update_keeps_its_own_credit_code(alice, township_a):
    org = make(alice, township_a, credit_code=uscc(1))
    services.organisation_update(actor=alice, organisation=org, credit_code=uscc(1), phone="9")
    assert org.version == 2


def test_moving_needs_the_right_in_the_new_region(alice, township_a, township_b):
    org = make(alice, township_a)
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=alice, organisation=org, region=township_b)


def test_deactivate_needs_a_reason_and_is_audited(alice, township_a):
    org = make(alice, township_a)
    with pytest.raises(ValidationError):
        services.organisation_deactivate(actor=alice, organisation=org, reason=" ")
    services.organisation_deactivate(actor=alice, organisation=org, reason="已注销")
    org.refresh_from_db()
    assert not org.is_active
    assert AuditEntry.objects.filter(note="已注销").exists()


def test_charlie_cannot_change_township_a(alice, charlie, township_a):
    org = make(alice, township_a)
    with pytest.raises(PermissionDenied):
        services.organisation_deactivate(actor=charlie, organisation=org, reason="x")
