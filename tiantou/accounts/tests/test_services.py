import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import PASSWORD
from tiantou.accounts import services
from tiantou.accounts.models import ApiToken, Membership, User
from tiantou.accounts.roles import Role
from tiantou.core.models import AuditAction, AuditEntry


def _new_user(actor, username="wang", **kwargs):
    return services.user_create(
        actor=actor, username=username, password="Xin-mima-2026", name="王五", **kwargs
    )


def test_township_admin_cannot_grant_county_admin(alice, county, township_a):
    user = _new_user(alice)
    with pytest.raises(PermissionDenied):
        services.membership_grant(actor=alice, user=user, role=Role.COUNTY_ADMIN, region=county)
    # Nor inside her own township: a county body's role is not held on a township.
    with pytest.raises(ValidationError):
        services.membership_grant(actor=alice, user=user, role=Role.COUNTY_ADMIN, region=township_a)
    assert not Membership.objects.filter(user=user).exists()


def test_grantable_roles_follow_what_the_actor_holds(alice, bob):
    from tiantou.accounts.selectors import grantable_roles

    alice_roles = {value for value, _label in grantable_roles(actor=alice)}
    assert Role.COUNTY_ADMIN not in alice_roles
    assert {Role.TOWNSHIP_ADMIN, Role.CADRE, Role.VIEWER} <= alice_roles
    assert Role.COUNTY_ADMIN in {value for value, _label in grantable_roles(actor=bob)}


def test_township_admin_cannot_grant_in_other_township(alice, township_b):
    user = _new_user(alice)
    with pytest.raises(PermissionDenied):
        services.membership_grant(actor=alice, user=user, role=Role.VIEWER, region=township_b)
    assert not Membership.objects.filter(user=user).exists()


def test_county_admin_grants_township_admin(bob, township_a):
    user = _new_user(bob)
    membership = services.membership_grant(
        actor=bob, user=user, role=Role.TOWNSHIP_ADMIN, region=township_a
    )
    assert membership.granted_by == bob
    assert AuditEntry.objects.filter(
        action=AuditAction.GRANT, object_id=str(membership.pk), actor=bob
    ).exists()


def test_create_with_membership_is_all_or_nothing(alice, township_b):
    with pytest.raises(PermissionDenied):
        services.user_create_with_membership(
            actor=alice,
            username="wang",
            password="Xin-mima-2026",
            role=Role.VIEWER,
            region=township_b,
        )
    assert not User.objects.filter(username="wang").exists()


def test_revoke_writes_audit_row(alice, ming):
    membership = ming.memberships.get()
    pk = membership.pk
    services.membership_revoke(actor=alice, membership=membership)
    assert not ming.memberships.exists()
    entry = AuditEntry.objects.get(action=AuditAction.REVOKE, object_id=str(pk))
    assert entry.actor == alice
    assert entry.before is not None and entry.before["role"] == Role.CADRE


def test_revoke_outside_scope_refused(charlie, ming):
    with pytest.raises(PermissionDenied):
        services.membership_revoke(actor=charlie, membership=ming.memberships.get())


def test_township_admin_cannot_revoke_county_role(alice, bob):
    with pytest.raises(PermissionDenied):
        services.membership_revoke(actor=alice, membership=bob.memberships.get())


def test_deactivate_self_refused(alice):
    with pytest.raises(ValidationError):
        services.user_deactivate(actor=alice, user=alice)
    alice.refresh_from_db()
    assert alice.is_active


def test_deactivate_and_reactivate_are_audited(alice, ming):
    services.user_deactivate(actor=alice, user=ming)
    ming.refresh_from_db()
    assert not ming.is_active
    services.user_reactivate(actor=alice, user=ming)
    ming.refresh_from_db()
    assert ming.is_active
    actions = list(
        AuditEntry.objects.filter(object_id=str(ming.pk), content_type__model="user")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.DEACTIVATE, AuditAction.UPDATE]


def test_deactivate_outside_scope_refused(charlie, ming):
    with pytest.raises(PermissionDenied):
        services.user_deactivate(actor=charlie, user=ming)


def test_change_own_password_needs_old_one(ming):
    with pytest.raises(ValidationError) as error:
        services.user_change_own_password(
            actor=ming, old_password="wrong", new_password="Xin-mima-2026"
        )
    assert "old_password" in error.value.message_dict
    services.user_change_own_password(
        actor=ming, old_password=PASSWORD, new_password="Xin-mima-2026"
    )
    ming.refresh_from_db()
    assert ming.check_password("Xin-mima-2026")


def test_admin_sets_password_in_scope_only(alice, charlie, ming):
    services.user_set_password(actor=alice, user=ming, password="Xin-mima-2026")
    with pytest.raises(PermissionDenied):
        services.user_set_password(actor=charlie, user=ming, password="Xin-mima-2027")


def test_unlock_is_audited(alice, ming):
    services.user_unlock(actor=alice, user=ming)
    assert AuditEntry.objects.filter(
        action=AuditAction.OTHER, object_id=str(ming.pk), actor=alice, note="unlocked"
    ).exists()


def test_token_create_revoke_authenticate(ming, alice):
    token, raw = services.token_create(actor=ming, name="统计同步")
    assert raw.startswith("tt_") and token.hint == raw[:7]
    assert token.key_hash != raw
    assert services.token_authenticate(raw) == ming
    token.refresh_from_db()
    assert token.last_used_at is not None
    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=alice, token=token)
    services.token_revoke(actor=ming, token=token)
    assert services.token_authenticate(raw) is None
    assert AuditEntry.objects.filter(
        action=AuditAction.REVOKE, object_id=str(token.pk), content_type__model="apitoken"
    ).exists()


def test_token_of_inactive_user_does_not_work(alice, ming):
    _token, raw = services.token_create(actor=ming, name="x")
    services.user_deactivate(actor=alice, user=ming)
    assert services.token_authenticate(raw) is None


def test_token_needs_a_name(ming):
    with pytest.raises(ValidationError):
        services.token_create(actor=ming, name="  ")
    assert not ApiToken.objects.exists()
