import pytest
from django.core.exceptions import PermissionDenied

from tiantou.accounts.permissions import ensure_can, has_perm
from tiantou.regions.models import Region


def test_township_admin_sees_only_own_subtree(alice, township_a, township_b):
    codes = set(Region.objects.visible_to(alice).values_list("code", flat=True))
    assert township_a.code in codes
    assert township_b.code not in codes
    assert "371321000000" not in codes


def test_county_admin_sees_both_townships(bob, township_a, township_b):
    codes = set(Region.objects.visible_to(bob).values_list("code", flat=True))
    assert {township_a.code, township_b.code} <= codes


def test_permission_counts_only_inside_scope(alice, township_a, township_b):
    assert has_perm(alice, "regions.add_organisation", township_a)
    assert not has_perm(alice, "regions.add_organisation", township_b)
    with pytest.raises(PermissionDenied):
        ensure_can(alice, "regions.add_organisation", township_b)


def test_viewer_cannot_write(dana, township_a):
    assert has_perm(dana, "regions.view_organisation", township_a)
    assert not has_perm(dana, "regions.add_organisation", township_a)


def test_anonymous_sees_nothing(db, regions):
    from django.contrib.auth.models import AnonymousUser

    assert not Region.objects.visible_to(AnonymousUser()).exists()
