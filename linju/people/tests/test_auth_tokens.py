"""The personal API tokens page: the secret is shown once, a revoked token stops working."""

import re

import pytest
from django.urls import reverse

from linju.core.models import ApiToken, AuditEvent
from linju.core.tokens import user_for_key

TOKENS = "people:tokens"


def _create(client, name="weekly report"):
    response = client.post(reverse(TOKENS), {"action": "create", "name": name})
    match = re.search(r'data-testid="token-secret">([^<]+)<', response.content.decode())
    return response, match and match.group(1)


@pytest.mark.django_db
def test_token_secret_is_shown_once_and_authenticates_until_revoked(client, city):
    owner = city.users["owner"]
    client.force_login(owner)

    response, secret = _create(client)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert secret and secret.startswith("lj_")
    token = ApiToken.objects.get(user=owner)
    assert token.key_hash != secret and secret not in token.key_hash
    assert AuditEvent.objects.filter(verb="token.create", object_id=str(token.pk)).exists()
    page = client.get(reverse(TOKENS)).content.decode()
    assert secret not in page
    assert token.prefix in page

    api = client.__class__()  # no session: the token alone must do
    me = api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200
    assert me.json()["id"] == owner.pk
    assert user_for_key(secret) == owner

    response = client.post(reverse(TOKENS), {"action": "revoke", "token_id": token.pk})

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(verb="token.revoke", object_id=str(token.pk)).exists()
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert user_for_key(secret) is None


@pytest.mark.django_db
def test_token_needs_a_name(client, city):
    client.force_login(city.users["owner"])
    response, secret = _create(client, name="   ")
    assert secret is None
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("token_id", ["other", "abc", ""])
def test_cannot_revoke_someone_elses_or_a_bogus_token(client, city, token_id):
    owner, tenant = city.users["owner"], city.users["tenant"]
    client.force_login(tenant)
    _response, _secret = _create(client, name="tenant's")
    client.force_login(owner)
    theirs = ApiToken.objects.get(user=tenant)

    response = client.post(
        reverse(TOKENS),
        {"action": "revoke", "token_id": theirs.pk if token_id == "other" else token_id},
    )

    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


@pytest.mark.django_db
def test_token_list_shows_only_my_tokens(client, city):
    owner, tenant = city.users["owner"], city.users["tenant"]
    client.force_login(tenant)
    _create(client, name="tenant-script")
    client.force_login(owner)
    _create(client, name="owner-script")
    page = client.get(reverse(TOKENS)).content.decode()
    assert "owner-script" in page
    assert "tenant-script" not in page
