import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.tests.factories import PASSWORD, ClientFactory, TrainerProfileFactory
from trainers.models import AvailabilityWindow
from web.tests.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_clients_the_slots_the_trainer_opens_and_hides_those_closed(web):
    new_page, base = web
    trainer = TrainerProfileFactory(all_week=False, user__first_name="Sam")
    day = (timezone.now() + dt.timedelta(days=3)).date()
    slots_url = f"{base}/trainers/{trainer.pk}/?week={day:%Y-%m-%d}&duration=60"
    weekday_label = day.strftime("%A")

    client_page = new_page()
    log_in(client_page, base, ClientFactory().email, PASSWORD)
    client_page.goto(slots_url)
    expect(client_page.get_by_text("No free time this week")).to_be_visible()

    trainer_page = new_page()
    log_in(trainer_page, base, trainer.user.email, PASSWORD)
    trainer_page.goto(f"{base}/trainer/availability/")
    trainer_page.get_by_label(f"{weekday_label}, window 1, from").fill("07:00")
    trainer_page.get_by_label(f"{weekday_label}, window 1, to").fill("09:00")
    trainer_page.get_by_role("button", name="Save availability").click()
    expect(trainer_page.get_by_role("status")).to_contain_text("availability is saved")
    screenshot(trainer_page, "trainer-availability")
    trainer_page.goto(f"{base}/trainer/")
    expect(trainer_page.get_by_role("heading", name="Earnings per month")).to_be_visible()
    screenshot(trainer_page, "trainer-area")
    trainer_page.goto(f"{base}/trainer/availability/")

    client_page.goto(slots_url)
    expect(client_page.get_by_role("link", name="07:00")).to_be_visible()
    expect(client_page.get_by_role("link", name="08:00")).to_be_visible()
    expect(client_page.get_by_role("link", name="08:15")).to_have_count(0)
    screenshot(client_page, "trainer-page")

    trainer_page.get_by_role("button", name=f"Remove {weekday_label} window 1").click()
    trainer_page.get_by_role("button", name="Save availability").click()
    expect(trainer_page.get_by_role("status")).to_contain_text("availability is saved")
    assert not AvailabilityWindow.objects.filter(trainer=trainer).exists()

    client_page.goto(slots_url)
    expect(client_page.get_by_role("link", name="07:00")).to_have_count(0)
    expect(client_page.get_by_text("No free time this week")).to_be_visible()
