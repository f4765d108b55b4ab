"""Every URL that names an object answers 404 to a user of the neighbouring township.

The table below must name every URL pattern that takes an argument: a new view or
endpoint fails `test_every_object_url_is_covered` until its scope is tested here.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import TOWNSHIP_A, VILLAGE_A
from tiantou.accounts import services as account_services
from tiantou.accounts.models import Membership
from tiantou.people import services as people_services
from tiantou.regions.services import organisation_create

pytestmark = pytest.mark.django_db


def _selection(a):
    """A batch of township A's own programme with one applicant, built on first use."""
    if "batch" not in a:
        import datetime

        from tiantou.accounts.models import User
        from tiantou.people.selection import services as selection

        bob = User.objects.get(username="bob")
        a["batch"] = selection.batch_create(
            actor=bob,
            programme=a["programme"],
            year=2026,
            number=1,
            term_start_on=datetime.date(2026, 4, 1),
            judges=[bob],
        )
        a["application"] = selection.application_create(
            actor=bob, batch=a["batch"], person=a["posting"].person
        )
    return a


# url name → how to build its arguments from township A's objects.
OBJECT_URLS = {
    "regions:region_detail": lambda a: {"code": TOWNSHIP_A},
    "regions:region_import_villages": lambda a: {"code": TOWNSHIP_A},
    "regions:village_create": lambda a: {"code": TOWNSHIP_A},
    "regions:village_edit": lambda a: {"code": VILLAGE_A},
    "regions:organisation_detail": lambda a: {"pk": a["organisation"].pk},
    "regions:organisation_edit": lambda a: {"pk": a["organisation"].pk},
    "regions:organisation_deactivate": lambda a: {"pk": a["organisation"].pk},
    "accounts:user_detail": lambda a: {"pk": a["user"].pk},
    "accounts:membership_grant": lambda a: {"pk": a["user"].pk},
    "accounts:membership_revoke": lambda a: {
        "pk": a["user"].pk,
        "membership_pk": a["membership"].pk,
    },
    "accounts:user_deactivate": lambda a: {"pk": a["user"].pk},
    "accounts:user_reactivate": lambda a: {"pk": a["user"].pk},
    "accounts:user_password": lambda a: {"pk": a["user"].pk},
    "accounts:twofactor_reset": lambda a: {"pk": a["user"].pk},
    "accounts:user_unlock": lambda a: {"pk": a["user"].pk},
    "accounts:token_revoke": lambda a: {"pk": a["token"].pk},
    "api:region_detail": lambda a: {"code": TOWNSHIP_A},
    "api:organisation_detail": lambda a: {"pk": a["organisation"].pk},
    "api:organisation_update": lambda a: {"pk": a["organisation"].pk},
    "api:person_detail": lambda a: {"pk": a["posting"].person_id},
    "api:posting_detail": lambda a: {"pk": a["posting"].pk},
    "api:posting_recall": lambda a: {"pk": a["posting"].pk},
    "people:person_detail": lambda a: {"pk": a["posting"].person_id},
    "people:person_edit": lambda a: {"pk": a["posting"].person_id},
    "people:programme_edit": lambda a: {"pk": a["programme"].pk},
    "people:posting_detail": lambda a: {"pk": a["posting"].pk},
    "people:posting_edit": lambda a: {"pk": a["posting"].pk},
    "people:posting_activate": lambda a: {"pk": a["posting"].pk},
    "people:posting_recall": lambda a: {"pk": a["posting"].pk},
    "people:posting_withdraw": lambda a: {"pk": a["posting"].pk},
    "people:posting_letter": lambda a: {"pk": a["posting"].pk},
    "people:batch_detail": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:batch_quotas": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:application_create": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:batch_start_scoring": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:batch_score": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:batch_close_scoring": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:batch_auto_allocate": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:batch_publish": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:batch_allocation_xlsx": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:batch_allocation_docx": lambda a: {"pk": _selection(a)["batch"].pk},
    "people:application_decide": lambda a: {"pk": _selection(a)["application"].pk},
    "ledger:activity_detail": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_edit": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_submit": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_photo_add": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_confirm": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_reject": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_reopen": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_delete": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_restore": lambda a: {"pk": _activity(a).pk},
    "ledger:activity_link": lambda a: {"pk": _activity(a).pk},
    "api:activity_detail": lambda a: {"pk": _activity(a).pk},
    "api:activity_confirm": lambda a: {"pk": _activity(a).pk},
    "api:activity_reject": lambda a: {"pk": _activity(a).pk},
    "ledger:report_detail": lambda a: {"pk": _oversight(a)["report"].pk},
    "ledger:report_mark_read": lambda a: {"pk": _oversight(a)["report"].pk},
    "ledger:report_write": lambda a: {"posting_pk": a["posting"].pk, "year": 2026, "number": 2},
    "ledger:spotcheck_detail": lambda a: {"pk": _oversight(a)["draw"].pk},
    "ledger:spotcheck_record": lambda a: {"pk": _oversight(a)["check"].pk},
    "ledger:discipline_detail": lambda a: {"pk": _oversight(a)["case"].pk},
    "ledger:discipline_escalate": lambda a: {"pk": _oversight(a)["case"].pk},
    "ledger:discipline_close": lambda a: {"pk": _oversight(a)["case"].pk},
    "ledger:training_posting": lambda a: {"pk": a["posting"].pk},
    "targets:sheet_detail": lambda a: {"pk": a["target_sheet"].pk},
    "targets:sheet_edit": lambda a: {"pk": a["target_sheet"].pk},
    "targets:sheet_issue": lambda a: {"pk": a["target_sheet"].pk},
    "targets:sheet_export": lambda a: {"pk": a["target_sheet"].pk},
    "targets:item_create": lambda a: {"pk": a["target_sheet"].pk},
    "targets:item_edit": lambda a: {"pk": a["target_item"].pk},
    "targets:item_delete": lambda a: {"pk": a["target_item"].pk},
    "targets:item_splits": lambda a: {"pk": a["target_item"].pk},
    "targets:split_letter": lambda a: {"pk": a["target_split"].pk},
    "targets:split_sign": lambda a: {"pk": a["target_split"].pk},
    "indicators:figure_edit": lambda a: {"pk": a["figure"].pk},
    "indicators:figure_confirm": lambda a: {"pk": a["figure"].pk},
    "indicators:figure_return": lambda a: {"pk": a["figure"].pk},
    "targets:scheme_detail": lambda a: {"pk": a["scheme"].pk},
    "targets:scheme_edit": lambda a: {"pk": a["scheme"].pk},
    "targets:scheme_export": lambda a: {"pk": a["scheme"].pk},
    "api:target_sheet_progress": lambda a: {"pk": a["target_sheet"].pk},
    "reports:report_detail": lambda a: {"pk": _report(a).report.pk},
    "reports:block_edit": lambda a: {"pk": _report(a).report.pk, "block_id": "b1"},
    "reports:report_issue": lambda a: {"pk": _report(a).report.pk},
    "reports:report_regenerate": lambda a: {"pk": _report(a).report.pk},
    "reports:report_download": lambda a: {"pk": _report(a).report.pk, "fmt": "md"},
    "reports:version_detail": lambda a: {"pk": _report(a).report.pk, "number": 1},
    "reports:version_download": lambda a: {"pk": _report(a).report.pk, "number": 1, "fmt": "md"},
}
# Pages that take a secret token, not an object: public by design (tested in their app).
PUBLIC_TOKEN_URLS = {"ledger:confirm_link"}
# The API's JSON 404 for any path it does not know: no object behind it.
NOT_FOUND_URLS = {"api:not_found"}


def _activity(a):
    """A submitted training in township A recorded by ming, built on first use."""
    if "activity" not in a:
        import datetime

        from django.utils import timezone

        from tiantou.accounts.models import User
        from tiantou.ledger.models import ActivityType
        from tiantou.ledger.services import activity_create

        a["activity"], _created = activity_create(
            actor=User.objects.get(username="ming"),
            activity_type=ActivityType.objects.get(key="training"),
            title="培训",
            region=a["posting"].host_region,
            starts_on=timezone.localdate() - datetime.timedelta(days=1),
            posting=a["posting"],
            participants=10,
            submit=True,
        )
    return a["activity"]


def _report(a):
    """An issued report of township A (written by hand: the report kinds are county-level)."""
    if "report_version" not in a:
        from django.utils import timezone

        from tiantou.reports.models import Report, ReportVersion

        draft = {
            "title": "岸堤镇工作总结",
            "blocks": [{"id": "b1", "kind": "paragraph", "text": "正文"}],
        }
        report = Report.objects.create(
            kind="county_work",
            region=a["posting"].host_region,
            period="2026",
            title="岸堤镇工作总结",
            draft=draft,
            generated_at=timezone.now(),
        )
        a["report_version"] = ReportVersion.objects.create(
            report=report, number=1, title=report.title, content=draft
        )
    return a["report_version"]


def _oversight(a):
    """ming's submitted work report, a draw in township A whose absence opened a case."""
    if "report" not in a:
        from tiantou.accounts.models import User
        from tiantou.ledger.oversight import selectors as oversight_selectors
        from tiantou.ledger.oversight import services as oversight

        posting = a["posting"]
        bob = User.objects.get(username="bob")
        year = posting.starts_on.year
        number, _due_on = oversight_selectors.reports_due(posting, year)[0]
        a["report"] = oversight.work_report_save(
            actor=posting.person.user,
            posting=posting,
            year=year,
            number=number,
            study="学",
            work="做",
            thoughts="想",
            submit=True,
        )
        a["draw"] = oversight.spotcheck_draw(actor=bob, region=posting.host_region, size=1, seed=1)
        a["check"] = a["draw"].checks.get()
        oversight.spotcheck_record(actor=bob, check=a["check"], result="absent", note="不在岗")
        a["case"] = a["check"].case
    return a


def _patterns(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield (f"{namespace}:" if namespace else "") + pattern.name, pattern


def _project_patterns():
    return [
        (name, pattern)
        for name, pattern in _patterns(get_resolver().url_patterns)
        if name.split(":")[0]
        in {
            "web",
            "regions",
            "accounts",
            "api",
            "people",
            "ledger",
            "indicators",
            "targets",
            "reports",
        }
    ]


@pytest.fixture
def township_a_objects(alice, bob, township_a, posting_ming):
    """An organisation, a user, a membership, a token, a township-run programme and a
    posting (of a person on the county's register) that live in township A only."""
    organisation = organisation_create(
        actor=alice, name="岸堤合作社", kind="cooperative", region=township_a
    )
    token, _raw = account_services.token_create(actor=alice, name="sync")
    programme = people_services.programme_create(
        actor=bob, region=township_a, name="岸堤镇科技特派员", kind="commissioner"
    )
    from tiantou.regions.models import Region
    from tiantou.targets import services as targets

    target_sheet = targets.sheet_create(
        actor=alice, region=township_a, year=2026, title="岸堤镇目标"
    )
    target_item = targets.item_create(
        actor=alice, sheet=target_sheet, name="培训", indicator="trainings", value=2
    )
    village = Region.objects.get(code=VILLAGE_A)
    targets.splits_save(actor=alice, item=target_item, splits=[(village, 2, None)])
    return {
        "organisation": organisation,
        "user": alice,
        "membership": Membership.objects.get(user=alice),
        "token": token,
        "programme": programme,
        "posting": posting_ming,
        "target_sheet": target_sheet,
        "target_item": target_item,
        "target_split": target_item.splits.get(),
        "figure": _figure(alice, township_a),
        "scheme": _scheme(bob, township_a),
    }


def _figure(alice, township_a):
    """A figure from outside entered for township A."""
    from tiantou.indicators.figures import services as figures

    return figures.figure_enter(
        actor=alice, indicator="above_scale_output", region=township_a, period="2026", value=1
    )


def _scheme(bob, township_a):
    """A scorecard scheme scoring township A's villages."""
    from tiantou.targets.scorecards import services as scorecards

    return scorecards.scheme_create(actor=bob, region=township_a, year=2026, name="岸堤镇考核")


def test_every_object_url_is_covered():
    with_arguments = {name for name, p in _project_patterns() if p.pattern.regex.groups}
    assert with_arguments - PUBLIC_TOKEN_URLS - NOT_FOUND_URLS == set(OBJECT_URLS)


@pytest.mark.parametrize("url_name", sorted(OBJECT_URLS))
def test_a_neighbouring_township_admin_gets_404(url_name, township_a_objects, charlie):
    url = reverse(url_name, kwargs=OBJECT_URLS[url_name](township_a_objects))
    if url_name.startswith("api:"):
        _token, raw = account_services.token_create(actor=charlie, name="probe")
        client = Client(headers={"Authorization": f"Bearer {raw}"})
        answers = [
            client.get(url),
            client.post(url, {}, content_type="application/json"),
            client.patch(url, {"name": "x", "version": 1}, content_type="application/json"),
        ]
        # A method the endpoint does not serve answers 405; every other answer is 404.
        assert {a.status_code for a in answers} - {405} == {404}
        return
    client = Client()
    client.force_login(charlie)
    statuses = {client.get(url).status_code, client.post(url, {"name": "x"}).status_code}
    assert 404 in statuses and statuses <= {404, 405}


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "dana", "ming"])
def test_every_page_answers_every_cast_member_without_error(who, request, township_a_objects):
    user = request.getfixturevalue(who)
    client = Client()
    client.force_login(user)
    for name, pattern in _project_patterns():
        if pattern.pattern.regex.groups or name.startswith("api:"):
            continue
        response = client.get(reverse(name))
        assert response.status_code in (200, 302, 403, 405), (name, response.status_code)
