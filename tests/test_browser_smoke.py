from __future__ import annotations

import pytest

from tests.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_in_a_real_browser_under_the_csp(page, bob):
    sign_in(page, "bob")
    assert page.locator("h1").inner_text() == "Welcome, Bob"
    screenshot(page, "home")
    page.click("text=Sign out bob")
    page.wait_for_url("**/login/")
    assert page.locator("h1").inner_text() == "Sign in"
