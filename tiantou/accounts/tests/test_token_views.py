from django.urls import reverse

from tiantou.accounts import services
from tiantou.accounts.models import ApiToken


def test_it_needs_login(client, db):
    assert client.get(reverse("accounts:token_list")).status_code == 302


def test_create_shows_secret_once(client_for, ming):
    client = client_for(ming)
    response = client.post(reverse("accounts:token_list"), {"name": "统计同步"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("tt_")
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=ming)
    assert token.name == "统计同步"
    assert services.token_authenticate(secret) == ming
    # Never shown again.
    assert secret not in client.get(reverse("accounts:token_list")).content.decode()


def test_create_needs_a_name(client_for, ming):
    response = client_for(ming).post(reverse("accounts:token_list"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_list_shows_only_own_tokens(client_for, ming, alice):
    services.token_create(actor=alice, name="alice's")
    mine, _raw = services.token_create(actor=ming, name="mine")
    response = client_for(ming).get(reverse("accounts:token_list"))
    assert list(response.context["tokens"]) == [mine]


def test_revoke(client_for, ming):
    token, raw = services.token_create(actor=ming, name="x")
    response = client_for(ming).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.token_authenticate(raw) is None


def test_revoking_someone_elses_token_is_404(client_for, ming, alice):
    token, raw = services.token_create(actor=alice, name="x")
    response = client_for(ming).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert services.token_authenticate(raw) == alice


def test_revoke_needs_post(client_for, ming):
    token, _raw = services.token_create(actor=ming, name="x")
    assert (
        client_for(ming).get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
    )
