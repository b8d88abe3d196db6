"""gunicorn settings for the Procfile's `web` process (`gunicorn config.wsgi --config <this file>`).

Values a platform sets come from the environment: PORT (the port to serve on, default 8000),
WEB_CONCURRENCY (worker processes, default 2 per CPU + 1), GUNICORN_TIMEOUT.
"""

import multiprocessing
import os
import shutil
import tempfile

bind = [f"0.0.0.0:{os.environ.get('PORT', '8000')}"]
# Sync workers: every request is a few short database statements or one Stripe call; a worker
# per request keeps row locks and connections simple. Scale with processes and instances.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request still running after this is killed (and its transaction rolled back).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On SIGTERM (a deploy, Ctrl-C) requests in flight get this long to finish.
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then so a slow leak never grows for days; jitter so they don't all
# restart at once.
max_requests = 2000
max_requests_jitter = 200
# The heartbeat file in RAM: a worker blocked on a slow disk is not taken for a hung one.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# Requests are logged by the app itself (one JSON line each, with its request id); gunicorn's
# own log is its start, stop and worker events.
accesslog = None
errorlog = "-"
loglevel = "info"
# Workers import the app themselves: a pooled database connection opened in the master before
# forking would be shared by every worker.
preload_app = False

# Prometheus: every worker writes its request figures to files in one folder, which /metrics
# reads whole (ops/metrics.py); a worker that exits is marked dead so its gauges go.
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(tempfile.gettempdir(), f"fitconnect-metrics-{os.getpid()}"),
)


def on_starting(server):
    folder = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
