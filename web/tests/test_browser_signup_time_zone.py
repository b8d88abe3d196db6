import pytest

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_keeps_the_browser_s_time_zone(browser, live_server):
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("I want to book sessions").check()
    page.get_by_label("First name").fill("Yui")
    page.get_by_label("Last name").fill("Sato")
    page.get_by_label("Email address").fill("yui@example.com")
    page.get_by_label("Password").fill("a-long-Pass-phrase-9")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url(f"{live_server.url}/trainers/")
    context.close()
    assert User.objects.get(email="yui@example.com").timezone == "Asia/Tokyo"
