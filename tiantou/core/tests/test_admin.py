import pytest
from django.contrib.admin.sites import site
from django.test import Client

from tiantou.accounts.models import User


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="x-Tiantou-2026")


def test_back_office_lists_every_table_read_only(superuser, regions):
    client = Client()
    client.force_login(superuser)
    for model in site._registry:
        meta = model._meta
        url = f"/backoffice/{meta.app_label}/{meta.model_name}/"
        assert client.get(url).status_code == 200, url
        assert client.get(url + "add/").status_code == 403, url


def test_back_office_is_closed_to_ordinary_users(client_for, bob):
    response = client_for(bob).get("/backoffice/regions/region/")
    assert response.status_code == 302
