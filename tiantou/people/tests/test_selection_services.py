"""Selection of cadres: batches, quotas, applicants, scores, ranking, decisions, publishing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from docx import Document
from openpyxl import load_workbook

from conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A
from tiantou.accounts.models import Membership, User
from tiantou.accounts.roles import Role
from tiantou.core import audit
from tiantou.core.models import AuditAction, AuditEntry
from tiantou.people import services
from tiantou.people.allocation import allocation_docx, allocation_title, allocation_xlsx
from tiantou.people.choices import ApplicationStatus, BatchStatus, Gender, PostingStatus
from tiantou.people.models import Application, BatchQuota, Posting, Score
from tiantou.people.selection import services as selection
from tiantou.people.selection.selectors import allocation_rows, batch_ranking
from tiantou.regions.choices import Level, RegionKind
from tiantou.regions.models import Region

TERM = datetime.date(2026, 4, 1)


# ---- helpers shared with the view tests ----


def make_person(actor, county, name, *, rank=2, unit=None, **fields):
    """Someone on the county's register (title rank 2 = intermediate by default)."""
    return services.person_create(
        actor=actor,
        name=name,
        region=county,
        gender=fields.pop("gender", "M"),
        title=fields.pop("title", "农艺师"),
        title_rank=rank,
        home_unit=unit,
        **fields,
    )


def make_batch(actor, programme, *, judges=(), number=1, quotas=None):
    batch = selection.batch_create(
        actor=actor,
        programme=programme,
        year=2026,
        number=number,
        term_start_on=TERM,
        judges=judges,
    )
    if quotas:
        selection.batch_set_quotas(actor=actor, batch=batch, quotas=quotas)
    return batch


def apply(actor, batch, person, preferred=None, unit=None):
    return selection.application_create(
        actor=actor, batch=batch, person=person, preferred_region=preferred, recommended_by=unit
    )


def scored_batch(bob, programme, people, scores, quotas, preferred):
    """A batch judged by bob, with `scores[name] = [bob's, …]`; scoring closed."""
    batch = make_batch(bob, programme, judges=[bob], quotas=quotas)
    applications = {p.name: apply(bob, batch, p, preferred.get(p.name)) for p in people}
    selection.batch_start_scoring(actor=bob, batch=batch)
    for name, value in scores.items():
        selection.score_record(actor=bob, application=applications[name], score=value)
    selection.batch_close_scoring(actor=bob, batch=batch)
    batch.refresh_from_db()
    return batch, applications


def org_dept_user(county, username="zhou"):
    user = User.objects.create_user(username=username, password="x", name="周组织")
    Membership.objects.create(user=user, role=Role.ORG_DEPT, region=county)
    return user


@pytest.fixture
def judge2(county):
    return org_dept_user(county, "judge2")


@pytest.fixture
def people(bob, county, home_unit):
    return [make_person(bob, county, name, unit=home_unit) for name in ("甲", "乙", "丙")]


# ---- batches and quotas ----


def test_a_batch_is_created_audited_with_its_judges(bob, programme, judge2):
    batch = make_batch(bob, programme, judges=[bob, judge2])
    assert batch.status == BatchStatus.OPEN
    assert set(batch.judges.all()) == {bob, judge2}
    entries = audit.entries_for(batch)
    assert {e.action for e in entries} == {AuditAction.CREATE, AuditAction.UPDATE}


@pytest.mark.parametrize("who", ["alice", "charlie", "dana", "ming"])
def test_only_those_who_run_batches_create_them(who, request, programme):
    with pytest.raises(PermissionDenied):
        make_batch(request.getfixturevalue(who), programme)


def test_a_batch_number_is_used_once_a_year(bob, programme):
    make_batch(bob, programme)
    with pytest.raises(ValidationError) as error:
        make_batch(bob, programme)
    assert "number" in error.value.message_dict


def test_quotas_are_set_replaced_and_audited(bob, programme, township_a, township_b):
    batch = make_batch(bob, programme, quotas={township_a: 2, township_b: 1})
    assert {(q.region_id, q.quota) for q in batch.quotas.all()} == {
        (TOWNSHIP_A, 2),
        (TOWNSHIP_B, 1),
    }
    selection.batch_set_quotas(actor=bob, batch=batch, quotas={township_a: 3, township_b: 0})
    assert {(q.region_id, q.quota) for q in batch.quotas.all()} == {(TOWNSHIP_A, 3)}
    actions = set(
        AuditEntry.objects.filter(content_type__model="batchquota").values_list("action", flat=True)
    )
    assert actions == {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE}


def test_quotas_only_for_townships_inside_the_programme(bob, programme, county, township_a):
    batch = make_batch(bob, programme)
    village = Region.objects.get(code=VILLAGE_A)
    other_county = Region.objects.create(
        code="371322000000",
        name="沂水县",
        level=Level.COUNTY,
        kind=RegionKind.COUNTY,
        parent=county.parent,
    )
    elsewhere = Region.objects.create(
        code="371322101000",
        name="沂城街道",
        level=Level.TOWNSHIP,
        kind=RegionKind.SUBDISTRICT,
        parent=other_county,
    )
    for region in (village, county, elsewhere):
        with pytest.raises(ValidationError):
            selection.batch_set_quotas(actor=bob, batch=batch, quotas={region: 1})
    with pytest.raises(ValidationError):
        selection.batch_set_quotas(actor=bob, batch=batch, quotas={township_a: -1})
    assert not BatchQuota.objects.exists()


def test_quotas_are_fixed_once_scoring_starts(bob, programme, township_a, people):
    batch = make_batch(bob, programme, judges=[bob])
    apply(bob, batch, people[0])
    selection.batch_start_scoring(actor=bob, batch=batch)
    with pytest.raises(ValidationError):
        selection.batch_set_quotas(actor=bob, batch=batch, quotas={township_a: 1})


def test_dana_cannot_set_quotas(bob, dana, programme, township_a):
    batch = make_batch(bob, programme)
    with pytest.raises(PermissionDenied):
        selection.batch_set_quotas(actor=dana, batch=batch, quotas={township_a: 1})


# ---- applicants ----


def test_a_unit_recommends_and_a_person_applies(bob, programme, people, home_unit, township_a):
    batch = make_batch(bob, programme)
    recommended = apply(bob, batch, people[0], township_a, unit=home_unit)
    own = apply(bob, batch, people[1])
    assert recommended.recommended_by == home_unit
    assert recommended.preferred_region == township_a
    assert own.recommended_by is None
    assert {recommended.status, own.status} == {ApplicationStatus.APPLIED}
    assert AuditEntry.objects.filter(content_type__model="application").count() == 2


def test_a_title_below_the_programme_minimum_is_kept_as_ineligible(bob, programme, county):
    programme.min_title_rank = 2
    programme.save()
    batch = make_batch(bob, programme)
    junior = make_person(bob, county, "新人", rank=1, title="助理农艺师")
    application = apply(bob, batch, junior)
    assert application.status == ApplicationStatus.INELIGIBLE
    with translation.override("en"):
        application = Application.objects.get(pk=application.pk)
    assert application.decision_note
    # Eligible at rank 2 exactly.
    assert apply(bob, batch, make_person(bob, county, "中级")).status == ApplicationStatus.APPLIED


def test_one_application_per_person_and_batch(bob, programme, people):
    batch = make_batch(bob, programme)
    apply(bob, batch, people[0])
    with pytest.raises(ValidationError) as error:
        apply(bob, batch, people[0])
    assert "person" in error.value.message_dict


def test_the_preferred_place_lies_in_the_programme(bob, programme, people, county):
    batch = make_batch(bob, programme)
    with pytest.raises(ValidationError) as error:
        apply(bob, batch, people[0], county)
    assert "preferred_region" in error.value.message_dict


def test_applications_close_when_scoring_starts(bob, programme, people):
    batch = make_batch(bob, programme, judges=[bob])
    apply(bob, batch, people[0])
    selection.batch_start_scoring(actor=bob, batch=batch)
    with pytest.raises(ValidationError):
        apply(bob, batch, people[1])


# ---- scoring and ranking ----


def test_scoring_needs_judges_and_an_eligible_applicant(bob, programme, people):
    batch = make_batch(bob, programme)
    with pytest.raises(ValidationError):
        selection.batch_start_scoring(actor=bob, batch=batch)
    selection.batch_set_judges(actor=bob, batch=batch, judges=[bob])
    with pytest.raises(ValidationError):
        selection.batch_start_scoring(actor=bob, batch=batch)
    apply(bob, batch, people[0])
    assert selection.batch_start_scoring(actor=bob, batch=batch).status == BatchStatus.SCORING


def test_only_judges_score_and_only_while_scoring(bob, judge2, programme, people):
    batch = make_batch(bob, programme, judges=[judge2])
    application = apply(bob, batch, people[0])
    with pytest.raises(ValidationError):
        selection.score_record(actor=judge2, application=application, score=80)
    selection.batch_start_scoring(actor=bob, batch=batch)
    # bob runs the batch but is not on the panel.
    with pytest.raises(PermissionDenied):
        selection.score_record(actor=bob, application=application, score=80)
    selection.score_record(actor=judge2, application=application, score=80)
    selection.batch_close_scoring(actor=bob, batch=batch)
    with pytest.raises(ValidationError):
        selection.score_record(actor=judge2, application=application, score=90)
    assert Score.objects.get().score == Decimal("80")


@pytest.mark.parametrize("value", [-1, "100.01", 101, "abc", "", "85.555"])
def test_a_score_lies_between_0_and_100(value, bob, programme, people):
    batch = make_batch(bob, programme, judges=[bob])
    application = apply(bob, batch, people[0])
    selection.batch_start_scoring(actor=bob, batch=batch)
    with pytest.raises(ValidationError) as error:
        selection.score_record(actor=bob, application=application, score=value)
    assert "score" in error.value.message_dict
    assert not Score.objects.exists()


def test_scoring_again_replaces_the_judges_score(bob, programme, people):
    batch = make_batch(bob, programme, judges=[bob])
    application = apply(bob, batch, people[0])
    selection.batch_start_scoring(actor=bob, batch=batch)
    selection.score_record(actor=bob, application=application, score=0)
    selection.score_record(actor=bob, application=application, score="100", comment="好")
    score = Score.objects.get()
    assert (score.score, score.comment) == (Decimal("100"), "好")
    actions = list(
        AuditEntry.objects.filter(content_type__model="score").values_list("action", flat=True)
    )
    assert sorted(actions) == [AuditAction.CREATE, AuditAction.UPDATE]


def test_an_ineligible_candidate_is_not_scored(bob, programme, people, county):
    programme.min_title_rank = 3
    programme.save()
    batch = make_batch(bob, programme, judges=[bob])
    senior = make_person(bob, county, "高工", rank=3)
    apply(bob, batch, senior)
    ineligible = apply(bob, batch, people[0])
    selection.batch_start_scoring(actor=bob, batch=batch)
    with pytest.raises(ValidationError):
        selection.score_record(actor=bob, application=ineligible, score=70)


def test_ranking_by_mean_then_number_of_scores_then_name(bob, judge2, programme, county):
    batch = make_batch(bob, programme, judges=[bob, judge2])
    names = ["王五", "李四", "张三", "赵六", "钱七"]
    apps = {n: apply(bob, batch, make_person(bob, county, n)) for n in names}
    selection.batch_start_scoring(actor=bob, batch=batch)
    score = selection.score_record
    score(actor=bob, application=apps["王五"], score=90)  # mean 90 from one judge
    score(actor=bob, application=apps["李四"], score=80)
    score(actor=judge2, application=apps["李四"], score=100)  # mean 90 from two judges
    score(actor=bob, application=apps["张三"], score=70)  # mean 70, same as 赵六
    score(actor=bob, application=apps["赵六"], score=70)
    ranking = batch_ranking(batch=batch)
    order = [(r.application.person.name, r.rank, r.mean, r.count) for r in ranking]
    assert order[0] == ("李四", 1, Decimal("90.00"), 2)
    assert order[1] == ("王五", 2, Decimal("90.00"), 1)
    # Equal mean and count: by name (collation of the names as stored).
    assert {order[2][0], order[3][0]} == {"张三", "赵六"} and [order[2][1], order[3][1]] == [3, 4]
    assert order[4] == ("钱七", None, None, 0)


# ---- status moves ----


def test_wrong_moves_are_refused_with_a_clear_message(bob, programme, people):
    batch = make_batch(bob, programme, judges=[bob])
    apply(bob, batch, people[0])
    for move in (selection.batch_close_scoring, selection.batch_publish):
        with pytest.raises(ValidationError):
            move(actor=bob, batch=batch)
    selection.batch_start_scoring(actor=bob, batch=batch)
    with pytest.raises(ValidationError) as error:
        selection.batch_start_scoring(actor=bob, batch=batch)
    assert error.value.code == "batch_move"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.SCORING


def test_decisions_wait_for_scoring_to_close(bob, programme, people, township_a):
    batch = make_batch(bob, programme, judges=[bob], quotas={township_a: 1})
    application = apply(bob, batch, people[0])
    selection.batch_start_scoring(actor=bob, batch=batch)
    with pytest.raises(ValidationError):
        selection.application_decide(
            actor=bob, application=application, status="selected", allocated_region=township_a
        )


# ---- decisions and quotas ----


def test_selected_needs_a_place_inside_the_programme(bob, programme, people, township_a, county):
    batch, apps = scored_batch(bob, programme, people[:1], {"甲": 80}, {township_a: 1}, {})
    with pytest.raises(ValidationError) as error:
        selection.application_decide(actor=bob, application=apps["甲"], status="selected")
    assert "allocated_region" in error.value.message_dict
    with pytest.raises(ValidationError):
        selection.application_decide(
            actor=bob, application=apps["甲"], status="selected", allocated_region=county
        )


def test_a_full_quota_is_refused_naming_the_township(bob, programme, people, township_a):
    batch, apps = scored_batch(
        bob, programme, people[:2], {"甲": 90, "乙": 80}, {township_a: 1}, {}
    )
    selection.application_decide(
        actor=bob, application=apps["甲"], status="selected", allocated_region=township_a
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        selection.application_decide(
            actor=bob, application=apps["乙"], status="selected", allocated_region=township_a
        )
    message = " ".join(error.value.message_dict["override_reason"])
    assert "岸堤镇" in message and "1" in message
    # A village of the township counts against the township's quota.
    village = Region.objects.get(code=VILLAGE_A)
    with pytest.raises(ValidationError):
        selection.application_decide(
            actor=bob, application=apps["乙"], status="selected", allocated_region=village
        )
    assert Application.objects.get(pk=apps["乙"].pk).status == ApplicationStatus.APPLIED


def test_an_override_is_stored_and_audited(bob, programme, people, township_a, township_b):
    batch, apps = scored_batch(
        bob, programme, people[:2], {"甲": 90, "乙": 80}, {township_a: 1}, {}
    )
    selection.application_decide(
        actor=bob, application=apps["甲"], status="selected", allocated_region=township_a
    )
    decided = selection.application_decide(
        actor=bob,
        application=apps["乙"],
        status="selected",
        allocated_region=township_a,
        override_reason="县委常委会研究同意增派一名",
    )
    assert decided.quota_override_reason == "县委常委会研究同意增派一名"
    entry = audit.entries_for(decided).first()
    assert entry is not None
    assert "县委常委会研究同意增派一名" in entry.note
    # Township B has no quota at all: selecting there needs a reason too.
    with pytest.raises(ValidationError):
        selection.application_decide(
            actor=bob, application=apps["甲"], status="selected", allocated_region=township_b
        )


def test_waiting_or_not_selected_clear_the_place(bob, programme, people, township_a):
    batch, apps = scored_batch(bob, programme, people[:1], {"甲": 90}, {township_a: 1}, {})
    selection.application_decide(
        actor=bob, application=apps["甲"], status="selected", allocated_region=township_a
    )
    waiting = selection.application_decide(actor=bob, application=apps["甲"], status="waiting")
    assert waiting.allocated_region is None
    assert waiting.status == ApplicationStatus.WAITING


def test_dana_and_alice_cannot_decide(bob, alice, dana, programme, people, township_a):
    batch, apps = scored_batch(bob, programme, people[:1], {"甲": 90}, {township_a: 1}, {})
    for user in (alice, dana):
        with pytest.raises(PermissionDenied):
            selection.application_decide(actor=user, application=apps["甲"], status="waiting")


def test_batch_decide_applies_several_decisions(bob, programme, people, township_a):
    batch, apps = scored_batch(
        bob, programme, people[:2], {"甲": 90, "乙": 80}, {township_a: 1}, {}
    )
    selection.batch_decide(
        actor=bob,
        batch=batch,
        decisions=[
            {"application": apps["甲"], "status": "selected", "allocated_region": township_a},
            {"application": apps["乙"], "status": "not_selected"},
        ],
    )
    statuses = dict(Application.objects.values_list("person__name", "status"))
    assert statuses == {"甲": "selected", "乙": "not_selected"}


def test_auto_allocation_follows_rank_and_quota(bob, programme, county, township_a, township_b):
    people = [make_person(bob, county, n) for n in ("一", "二", "三", "四", "五")]
    scores = {"一": 95, "二": 90, "三": 85, "四": 80}  # 五 is never scored
    preferred = {"一": township_a, "二": township_a, "三": township_b, "四": None, "五": township_a}
    batch, apps = scored_batch(
        bob, programme, people, scores, {township_a: 1, township_b: 1}, preferred
    )
    counts = selection.batch_auto_allocate(actor=bob, batch=batch)
    assert counts == {"selected": 2, "waiting": 2}
    result = {
        a.person.name: (a.status, a.allocated_region_id)
        for a in Application.objects.select_related("person")
    }
    assert result == {
        "一": ("selected", TOWNSHIP_A),
        "二": ("waiting", None),
        "三": ("selected", TOWNSHIP_B),
        "四": ("waiting", None),
        "五": ("applied", None),
    }


def test_auto_allocation_keeps_decisions_already_taken(bob, programme, people, township_a):
    preferred = {"甲": township_a, "乙": township_a}
    batch, apps = scored_batch(
        bob, programme, people[:2], {"甲": 90, "乙": 80}, {township_a: 1}, preferred
    )
    # The lower-ranked one was chosen by hand: the quota is used up.
    selection.application_decide(
        actor=bob, application=apps["乙"], status="selected", allocated_region=township_a
    )
    selection.batch_auto_allocate(actor=bob, batch=batch)
    statuses = dict(Application.objects.values_list("person__name", "status"))
    assert statuses == {"甲": "waiting", "乙": "selected"}


# ---- publishing ----


def test_publishing_waits_for_every_decision(bob, programme, people, township_a):
    batch, apps = scored_batch(bob, programme, people[:2], {"甲": 90}, {township_a: 1}, {})
    with pytest.raises(ValidationError) as error:
        selection.batch_publish(actor=bob, batch=batch)
    assert error.value.code == "undecided"
    assert not Posting.objects.exists()


def test_publishing_creates_planned_postings_with_titles(bob, programme, people, township_a):
    village = Region.objects.get(code=VILLAGE_A)
    batch, apps = scored_batch(
        bob, programme, people, {"甲": 90, "乙": 85, "丙": 60}, {township_a: 2}, {}
    )
    selection.application_decide(
        actor=bob, application=apps["甲"], status="selected", allocated_region=township_a
    )
    selection.application_decide(
        actor=bob, application=apps["乙"], status="selected", allocated_region=village
    )
    selection.application_decide(actor=bob, application=apps["丙"], status="not_selected")
    published = selection.batch_publish(actor=bob, batch=batch)
    assert published.status == BatchStatus.PUBLISHED and published.published_at
    postings = {p.person.name: p for p in Posting.objects.select_related("person")}
    assert set(postings) == {"甲", "乙"}
    assert postings["甲"].title == "科技副镇长"
    assert postings["乙"].title == "村科技副主任"
    for posting in postings.values():
        assert posting.status == PostingStatus.PLANNED
        assert posting.starts_on == TERM
        assert posting.batch == batch
        assert posting.application is not None
        assert posting.application.person == posting.person
    with pytest.raises(ValidationError):
        selection.batch_publish(actor=bob, batch=batch)


def test_an_overlapping_term_stops_the_publication(bob, programme, person_ming, township_a):
    services.posting_create(
        actor=bob,
        person=person_ming,
        programme=programme,
        host_region=township_a,
        starts_on=datetime.date(2025, 3, 1),
    )
    batch, apps = scored_batch(bob, programme, [person_ming], {"刘明": 90}, {township_a: 1}, {})
    selection.application_decide(
        actor=bob, application=apps["刘明"], status="selected", allocated_region=township_a
    )
    with pytest.raises(ValidationError) as error:
        selection.batch_publish(actor=bob, batch=batch)
    assert error.value.code == "overlap"
    assert "刘明" in error.value.messages[0]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DECIDED
    assert Posting.objects.count() == 1


# ---- the allocation list ----


@pytest.fixture
def published(bob, programme, county, home_unit, township_a, township_b):
    people = [
        make_person(bob, county, "孙立", unit=home_unit, title="高级农艺师", gender="M"),
        make_person(bob, county, "周敏", unit=home_unit, title="兽医师", gender="F"),
    ]
    batch, apps = scored_batch(
        bob,
        programme,
        people,
        {"孙立": 92, "周敏": 88},
        {township_a: 1, township_b: 1},
        {"孙立": township_a, "周敏": township_b},
    )
    selection.batch_auto_allocate(actor=bob, batch=batch)
    return selection.batch_publish(actor=bob, batch=batch)


def test_the_allocation_list_in_excel(published):
    with translation.override("zh-hans"):
        workbook = load_workbook(io.BytesIO(allocation_xlsx(published)))
        title = allocation_title(published)
        male, female = str(Gender.MALE.label), str(Gender.FEMALE.label)
    sheet = workbook.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == title and "2026" in title and "科技副职" in title
    assert len(rows[1]) == 7
    assert rows[2][1:] == ("孙立", male, "高级农艺师", "县农业农村局", "岸堤镇", "科技副镇长")
    assert rows[3][1:] == ("周敏", female, "兽医师", "县农业农村局", "孙祖镇", "科技副镇长")
    assert [r[0] for r in rows[2:]] == [1, 2]


def test_the_allocation_list_in_word(published):
    document = Document(io.BytesIO(allocation_docx(published)))
    male = str(Gender.MALE.label)
    assert "沂南县" in document.paragraphs[0].text and "2026" in document.paragraphs[0].text
    table = document.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert len(cells) == 3 and len(cells[0]) == 7
    assert cells[1] == ["1", "孙立", male, "高级农艺师", "县农业农村局", "岸堤镇", "科技副镇长"]
    # Chinese text is set in a CJK font, not left to Word's fallback.
    run = document.paragraphs[0].runs[0]
    rpr = run._element.rPr
    assert rpr is not None and rpr.rFonts is not None
    east_asia = rpr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asia == "方正小标宋简体"


def test_allocation_rows_use_the_posting_titles(published):
    rows = allocation_rows(batch=published)
    assert [r.post for r in rows] == list(
        Posting.objects.order_by("host_region_id").values_list("title", flat=True)
    )
