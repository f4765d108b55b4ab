from tiantou.core import audit
from tiantou.regions.models import Organisation
from tiantou.regions.services import organisation_create, organisation_update


def test_changes_read_as_labels_not_field_names(bob, township_a):
    organisation = organisation_create(actor=bob, name="岸堤基地", kind="base", region=township_a)
    organisation_update(actor=bob, organisation=organisation, kind="cooperative", is_active=False)
    latest = audit.entries_for(organisation).first()
    assert latest is not None
    rows = dict((label, (old, new)) for label, old, new in latest.readable_changes())
    kind = str(Organisation._meta.get_field("kind").verbose_name)
    active = str(Organisation._meta.get_field("is_active").verbose_name)
    assert rows[kind] == ("示范基地", "合作社")
    assert rows[active] == ("是", "否")
    # Bookkeeping fields are left out.
    assert str(Organisation._meta.get_field("version").verbose_name) not in rows
