"""The deployment the scale-out tests run against: two web instances behind nginx, two Celery
workers, private PostgreSQL and Redis, the Stripe emulator (delivering no events: each test
delivers the ones it builds)."""

import json
import shutil

import pytest

from deploy.stack import Stack


@pytest.fixture(scope="session")
def stack():
    missing = [tool for tool in ("nginx", "redis-server") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"needs {', '.join(missing)} (.ci/run installs them)")
    with Stack("scale-out", web=2, workers=2, webhooks=False, web_concurrency=2) as running:
        running.accounts = json.loads(
            running.python("from deploy.seed import seed\nprint(seed(trainers=3, clients=20))")
        )
        yield running
