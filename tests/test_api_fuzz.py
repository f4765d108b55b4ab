"""Every API operation fuzzed from its own OpenAPI document (issue 18).

The schema is read from the application itself and each operation is called through the
WSGI app (no server, no network) with the personal token of a county admin and of a
township admin. Generation is derandomized, so every run sends the same requests.
Checks: no 5xx, and the status code, content type and body are the ones declared.

Besides what the schema suggests, the generator draws from a small dictionary of values
known to break APIs (numbers beyond 64 bits or any decimal context, NUL in text); small
path ids are mapped to real records so that the writes get past the 404.
"""

import datetime

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import COUNTY, TOWNSHIP_A
from tiantou.accounts import services as account_services
from tiantou.ledger import services as ledger_services
from tiantou.ledger.models import ActivityType
from tiantou.regions.services import organisation_create

NASTY = {
    "integers": [0, -1, 2**31, 2**63, 2**64, 10**30],
    "numbers": [1e300, -1e300, 1e-300, 2.0**63],
    "strings": ["\x00", "a\x00b", "9" * 30, "1e300"],
    # Real keys and codes, so that bodies get past the lookups to the services.
    "activity_types": ["training", "consultation"],
    "region_codes": [TOWNSHIP_A, COUNTY],
}


def _config(max_examples: int, *, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 18,
            "dictionaries": {name: {"values": values} for name, values in NASTY.items()},
            "parameters": {
                "body.activity_type": {"dictionary": "activity_types", "probability": 0.8},
                "body.region_code": {"dictionary": "region_codes", "probability": 0.8},
            },
            "generation": {
                "deterministic": True,
                "max-examples": max_examples,
                "dictionaries": {
                    "integer": {"dictionary": "integers", "probability": 0.5},
                    "number": {"dictionary": "numbers", "probability": 0.5},
                    "string": {"dictionary": "strings", "probability": 0.3},
                },
            },
            "phases": {
                "coverage": {"enabled": coverage, "unexpected-methods": []},
                "stateful": {"enabled": False},
            },
        }
    )


APP = get_wsgi_application()
# The county admin: every phase; the township admin: the fuzzing phase, fewer examples.
county_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", APP, config=_config(30, coverage=True)
)
township_schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json", APP, config=_config(10, coverage=False)
)

CHECKS = [not_a_server_error]
_ALL = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ = settings(
    derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request must not close the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def real_ids(alice, bob, ming, posting_ming, township_a) -> dict[str, int]:
    """Records behind the ids, by the collection named in the path."""
    organisation = organisation_create(
        actor=alice, name="岸堤农技协", kind="association", region=township_a
    )
    activity, _created = ledger_services.activity_create(
        actor=ming,
        activity_type=ActivityType.objects.get(key="training"),
        title="果树修剪培训",
        region=township_a,
        starts_on=datetime.date.today() - datetime.timedelta(days=1),
        posting=posting_ming,
        participants=12,
        submit=True,
    )
    return {
        "organisations": organisation.pk,
        "people": posting_ming.person_id,
        "postings": posting_ming.pk,
        "activities": activity.pk,
    }


def _token(user) -> str:
    _token_row, raw = account_services.token_create(actor=user, name="fuzz")
    return raw


def _call(case, token: str, real_ids: dict[str, int]) -> None:
    pk = case.path_parameters.get("pk") if case.path_parameters else None
    if isinstance(pk, int) and 0 < pk <= 100:
        collection = case.path.removeprefix("/api/v1/").split("/")[0]
        case.path_parameters["pk"] = real_ids.get(collection, pk)
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


@pytest.fixture
def bob_token(bob, real_ids) -> str:
    return _token(bob)


@pytest.fixture
def alice_token(alice, real_ids) -> str:
    return _token(alice)


@pytest.mark.django_db
@county_schema.parametrize()
@FUZZ
def test_county_admin(case, bob_token, real_ids):
    _call(case, bob_token, real_ids)


@pytest.mark.django_db
@township_schema.parametrize()
@FUZZ
def test_township_admin(case, alice_token, real_ids):
    _call(case, alice_token, real_ids)
