import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import VILLAGE_A
from tiantou.people import selectors, services
from tiantou.people.views import counts_sentence
from tiantou.regions.models import Region

TODAY = datetime.date(2025, 6, 1)


def _post(bob, county, programme, host, level, outside=False, n=1, activate=True):
    for i in range(n):
        person = services.person_create(
            actor=bob, name=f"{host.code}{level}{outside}{i}", region=county
        )
        posting = services.posting_create(
            actor=bob,
            person=person,
            programme=programme,
            host_region=host,
            starts_on=datetime.date(2025, 3, 1),
            dispatch_level=level,
            is_from_outside_county=outside,
            mode="hired" if outside else "selected",
        )
        if activate:
            services.posting_activate(actor=bob, posting=posting)


def test_counts_nest_outside_hires_in_their_level(
    bob, alice, county, programme, township_a, township_b
):
    village = Region.objects.get(code=VILLAGE_A)
    _post(bob, county, programme, township_a, "county", n=2)
    _post(bob, county, programme, village, "county", outside=True)
    _post(bob, county, programme, township_b, "township", n=3)
    _post(bob, county, programme, township_b, "township", activate=False)  # planned: not counted
    counts = selectors.posting_counts(user=bob, today=TODAY)
    assert counts["total"] == 6
    assert [(r["level"], r["n"], r["outside"]) for r in counts["levels"]] == [
        ("county", 3, 1),
        ("township", 3, 0),
    ]
    assert [(p["name"], p["n"]) for p in counts["programmes"]] == [("科技副职", 6)]
    assert [(t["code"], t["n"]) for t in counts["townships"]] == [
        (township_a.code, 3),  # the village's posting counts in its township
        (township_b.code, 3),
    ]
    assert [c["n"] for c in counts["townships"][0]["by_level"]] == [0, 3, 0]
    # A township admin counts only their township.
    assert selectors.posting_counts(user=alice, today=TODAY)["total"] == 3
    # Past the term nobody is in office.
    assert selectors.posting_counts(user=bob, today=datetime.date(2029, 1, 1))["total"] == 0


def test_counts_sentence_reads_like_the_reports(bob, county, programme, township_a, township_b):
    _post(bob, county, programme, township_a, "county", n=10)
    _post(bob, county, programme, township_a, "county", outside=True)
    _post(bob, county, programme, township_b, "township", n=26)
    counts = selectors.posting_counts(user=bob, today=TODAY)
    sentence = counts_sentence(counts)
    assert "37" in sentence and "11" in sentence and "26" in sentence
    assert (
        sentence.index("11") < sentence.index("1", sentence.index("11") + 2) < sentence.index("26")
    )


def test_counts_take_a_fixed_number_of_queries(bob, county, programme, township_a, township_b):
    def queries():
        user = type(bob).objects.get(pk=bob.pk)
        with CaptureQueriesContext(connection) as context:
            selectors.posting_counts(user=user, today=TODAY)
        return len(context)

    _post(bob, county, programme, township_a, "county")
    few = queries()
    _post(bob, county, programme, township_b, "township", n=5)
    _post(bob, county, programme, township_a, "city", outside=True, n=3)
    assert queries() == few <= 5


def test_counts_page_links_each_number_to_the_roster(
    client_for, bob, county, programme, township_a
):
    from django.urls import reverse

    _post(bob, county, programme, township_a, "county", n=2)
    response = client_for(bob).get(reverse("people:posting_counts"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "current=true&dispatch_level=county" in content
    assert f"township={township_a.code}" in content
    assert 'id="posting-counts-data"' in content


def test_my_postings_and_has_person(ming, alice, posting_ming):
    assert selectors.has_person(ming) and not selectors.has_person(alice)
    assert [p.pk for p in selectors.my_postings(user=ming)] == [posting_ming.pk]
    assert selectors.my_postings(user=alice) == []
