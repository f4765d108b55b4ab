"""The refusals of the organisation and village services are also their imports', with the
same messages.

Each case runs the service with what it would be given and the import with the row that
says the same thing, and expects the service's message among the row's errors. Where the
import matches rather than refuses (a credit code or village code already registered
updates that record), the case is not a refusal of the import and is not listed.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B
from tiantou.core.tests.xlsx import xlsx_upload
from tiantou.core.validators import uscc_check_char
from tiantou.regions import importers, services
from tiantou.regions.choices import OrganisationKind
from tiantou.regions.models import Organisation

pytestmark = pytest.mark.django_db


def _code(body: str) -> str:
    return body + uscc_check_char(body)


CODE_1 = _code("91371321MA3C00001")
CODE_2 = _code("91371321MA3C00002")


def _refused(call, **arguments) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        call(**arguments)
    return refused.value.messages


def _organisation_row_messages(actor, **cells) -> list[str]:
    row = {"name": "示范合作社", "kind": OrganisationKind.COOPERATIVE, "region": TOWNSHIP_A}
    row |= cells
    result = importers.organisation_import(actor=actor, rows=[row], dry_run=True)
    assert not result.ok
    return [error.message for error in result.errors]


def _village_row_messages(actor, scope, **cells) -> list[str]:
    row = {"township": TOWNSHIP_A, "code": "", "name": "东山村"}
    row |= cells
    result = importers.village_import(actor=actor, township_or_scope=scope, rows=[row])
    assert not result.ok and not result.written
    return [error.message for error in result.errors]


def _same(service: list[str], imported: list[str]) -> None:
    assert service, "the service must refuse"
    for message in service:
        assert message in imported, (message, imported)


# ---- organisations ----


def _sheet_messages(actor, **cells) -> list[str]:
    """A bad cell is refused while the sheet is read: through the importer itself."""
    columns = importers.ORGANISATION_COLUMNS
    row = {"name": "示范合作社", "kind": "合作社", "region": TOWNSHIP_A} | cells
    header = [str(c.label) for c in columns if c.key in row]
    values = [row[c.key] for c in columns if c.key in row]
    result = importers.OrganisationImporter(actor=actor).run(xlsx_upload([header, values]))
    assert not result.ok
    return [error.message for error in result.errors]


def test_a_bad_credit_code(alice, township_a):
    bad = "91371321MA3C0000X"
    _same(
        _refused(
            services.organisation_create,
            actor=alice,
            name="示范合作社",
            kind=OrganisationKind.COOPERATIVE,
            region=township_a,
            credit_code=bad,
        ),
        _sheet_messages(alice, credit_code=bad),
    )


def test_a_name_already_registered_in_the_region(alice, township_a):
    services.organisation_create(
        actor=alice,
        name="示范合作社",
        kind=OrganisationKind.COOPERATIVE,
        region=township_a,
        credit_code=CODE_1,
    )
    _same(
        _refused(
            services.organisation_create,
            actor=alice,
            name="示范合作社",
            kind=OrganisationKind.COOPERATIVE,
            region=township_a,
            credit_code=CODE_2,
        ),
        _organisation_row_messages(alice, credit_code=CODE_2),
    )


def test_a_rename_onto_another_organisations_name(alice, township_a):
    first = services.organisation_create(
        actor=alice,
        name="甲合作社",
        kind=OrganisationKind.COOPERATIVE,
        region=township_a,
        credit_code=CODE_1,
    )
    services.organisation_create(
        actor=alice, name="乙合作社", kind=OrganisationKind.COOPERATIVE, region=township_a
    )
    _same(
        _refused(services.organisation_update, actor=alice, organisation=first, name="乙合作社"),
        _organisation_row_messages(alice, name="乙合作社", credit_code=CODE_1),
    )
    assert Organisation.objects.get(pk=first.pk).name == "甲合作社"


def test_a_region_outside_the_area_is_refused_by_both(alice, township_b):
    # The service answers 403, the import a row error.
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=alice, name="外乡社", kind=OrganisationKind.COOPERATIVE, region=township_b
        )
    assert _organisation_row_messages(alice, region=TOWNSHIP_B)


# ---- villages ----


def test_a_village_under_a_county(bob, county):
    _same(
        _refused(services.village_create, actor=bob, township=county, name="东山村"),
        _village_row_messages(bob, county, township=COUNTY),
    )


@pytest.mark.parametrize(
    "code",
    [
        "371321102005",  # another township's prefix
        "371321101000",  # the township itself
    ],
)
def test_a_village_code_outside_the_township(alice, township_a, code):
    _same(
        _refused(
            services.village_create, actor=alice, township=township_a, name="东山村", code=code
        ),
        _village_row_messages(alice, township_a, code=code),
    )
