"""Failed sign-ins are throttled (django-axes): the audit's 60 wrong passwords in 34 s, then
the right one, no longer get in. Site and admin login alike; an admin can unlock."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from tests.conftest import PASSWORD

LOGIN = reverse("login")
ADMIN_LOGIN = reverse("admin:login")


def sign_in(client, username: str, password: str, url: str = LOGIN, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def signed_in_as(client) -> str | None:
    response = client.get(reverse("recruiter:note_list"))
    return response.wsgi_request.user.get_username() if response.status_code == 200 else None


@pytest.mark.parametrize("name", ["alice", "bob", "charlie"])
def test_the_named_users_still_sign_in(client, request, name):
    request.getfixturevalue(name)

    response = sign_in(client, name, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_audits_brute_force_is_locked_out(client, bob, settings):
    assert settings.AXES_FAILURE_LIMIT == 5  # the default the site ships with
    answers = [sign_in(client, "bob", f"guess {n}").status_code for n in range(60)]

    right = sign_in(client, "bob", PASSWORD)

    assert answers[:4] == [200] * 4  # the form again, with its error
    assert set(answers[4:]) == {429}
    assert right.status_code == 429
    page = right.content.decode()
    assert "Too many failed sign-ins" in page
    assert "locked for 60 minutes" in page and "administrator" in page
    assert "_auth_user_id" not in client.session


def test_the_admin_login_is_locked_out_too(client, staff):
    for n in range(5):
        sign_in(client, "sam", f"guess {n}", ADMIN_LOGIN)

    response = sign_in(client, "sam", PASSWORD, ADMIN_LOGIN)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_fewer_failures_than_the_limit_still_sign_in_and_reset_the_count(client, bob):
    for n in range(4):
        sign_in(client, "bob", f"guess {n}")

    assert sign_in(client, "bob", PASSWORD).status_code == 302
    client.logout()
    for n in range(4):
        sign_in(client, "bob", f"again {n}")
    assert sign_in(client, "bob", PASSWORD).status_code == 302  # the count was reset


def test_the_limit_is_a_setting(client, bob, settings):
    settings.AXES_FAILURE_LIMIT = 2
    sign_in(client, "bob", "wrong")
    sign_in(client, "bob", "wrong")

    response = sign_in(client, "bob", PASSWORD)

    assert response.status_code == 429
    assert "After 2 wrong passwords" in response.content.decode()


def test_another_user_is_not_locked_by_someone_elses_failures(client, bob, charlie):
    for n in range(6):
        sign_in(client, "bob", f"guess {n}")

    assert sign_in(client, "charlie", PASSWORD).status_code == 302


def test_an_admin_unlocks_in_the_admin(client, bob, staff):
    for n in range(5):
        sign_in(client, "bob", f"guess {n}")
    assert sign_in(client, "bob", PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username="bob")

    client.force_login(staff)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert "bob" in client.get(changelist).content.decode()
    client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    client.logout()

    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "bob", PASSWORD).status_code == 302
