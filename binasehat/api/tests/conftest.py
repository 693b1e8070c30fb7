"""Helpers for the API tests: a client that calls with a Bearer token of a given user."""

import pytest
from django.test import Client


@pytest.fixture
def bearer(db):
    """``bearer(user)`` → a client sending ``Authorization: Bearer <new key of user>`` on every request."""
    from binasehat.accounts.models import User
    from binasehat.api.services import token_create

    def make(user):
        if isinstance(user, str):
            user = User.objects.get(username=user)
        _token, key = token_create(actor=user, name="tes")
        client = Client(headers={"Authorization": f"Bearer {key}"})
        client.key = key
        return client

    return make
