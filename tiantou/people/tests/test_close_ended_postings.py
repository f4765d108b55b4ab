import datetime
import io
from unittest import mock

from django.core.management import call_command

from tiantou.people.choices import PostingEventKind, PostingStatus


def test_the_command_completes_postings_past_their_term(posting_ming):
    out = io.StringIO()
    after_term = datetime.date(2028, 3, 1)
    with mock.patch("django.utils.timezone.localdate", return_value=after_term):
        call_command("close_ended_postings", stdout=out)
    posting_ming.refresh_from_db()
    assert posting_ming.status == PostingStatus.COMPLETED
    assert posting_ming.events.filter(kind=PostingEventKind.COMPLETED).count() == 1
    assert "1" in out.getvalue()
    # A second run finds nothing left to do.
    with mock.patch("django.utils.timezone.localdate", return_value=after_term):
        call_command("close_ended_postings", stdout=io.StringIO())
    assert posting_ming.events.filter(kind=PostingEventKind.COMPLETED).count() == 1
