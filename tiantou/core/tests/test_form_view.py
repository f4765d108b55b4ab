"""The create/edit skeleton every app's form pages use."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.test import RequestFactory

from tiantou.core.views import form_view


class NameForm(forms.Form):
    name = forms.CharField()


def _request(data: dict | None = None) -> HttpRequest:
    factory = RequestFactory()
    request = factory.post("/", data) if data is not None else factory.get("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _page(request: HttpRequest, save, **options):
    """The page around NameForm; the tests stand in for `render` to see what it is given."""
    form = NameForm(request.POST or None)
    options.setdefault("context", {"x": "extra"})
    return form, form_view(
        request,
        form=form,
        save=save,
        template="core/_test_form.html",
        success_url=lambda saved: f"/saved/{saved}",
        **options,
    )


def test_a_valid_post_saves_leaves_the_message_and_redirects(monkeypatch):
    rendered: list = []
    monkeypatch.setattr("tiantou.core.views.render", lambda *args: rendered.append(args))
    request = _request({"name": "东山村"})
    _form, response = _page(request, save=lambda: 7, success_message=lambda saved: f"saved {saved}")
    assert response.status_code == 302
    assert response["Location"] == "/saved/7"
    assert [str(m) for m in get_messages(request)] == ["saved 7"]
    assert rendered == []


def _recorder(rendered: list):
    """A stand-in for render that notes its arguments and answers "page"."""

    def render(*args):
        rendered.append(args)
        return "page"

    return render


def test_a_refusal_shows_on_the_form_and_keeps_the_input(monkeypatch):
    rendered: list = []
    monkeypatch.setattr("tiantou.core.views.render", _recorder(rendered))
    request = _request({"name": "东山村"})

    def refuse() -> int:
        raise ValidationError({"name": "Taken.", "other": "Not a field."})

    form, response = _page(request, save=refuse)
    assert response == "page"
    assert form.errors["name"] == ["Taken."]
    assert form.non_field_errors() == ["Not a field."]
    (_request_, template_name, context) = rendered[0]
    assert template_name == "core/_test_form.html"
    assert context["form"] is form and context["x"] == "extra"
    assert context["form"]["name"].value() == "东山村"
    assert list(get_messages(request)) == []


def test_on_error_takes_the_refusal_and_a_get_only_renders(monkeypatch):
    rendered: list = []
    monkeypatch.setattr("tiantou.core.views.render", _recorder(rendered))
    seen: list = []

    def refuse() -> int:
        raise ValidationError("No.")

    _page(_request({"name": "x"}), save=refuse, on_error=seen.append)
    assert [e.messages for e in seen] == [["No."]]
    calls: list = []
    _page(_request(), save=lambda: calls.append(1))
    assert calls == []
    assert len(rendered) == 2
