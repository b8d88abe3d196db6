"""`make loadtest`: the production profile under load, then with faults under load.

    python -m deploy.loadtest            # a clean run, then a run with faults (about 8 minutes)
    python -m deploy.loadtest --short    # CI: one clean run of a minute

Each run gets a fresh deployment (deploy/stack.py: nginx, two web instances, two Celery workers,
beat, private PostgreSQL and Redis, the Stripe emulator delivering real webhooks), seeded with
trainers and clients. Locust (deploy/locustfile.py, headless, from its own virtualenv) drives it
for the run's duration. The fault run, while the load goes on, kills a Celery worker with
SIGKILL while it runs a task (and starts it again, as a supervisor would), restarts Redis, and
restarts PostgreSQL, each time waiting until both instances are ready again.

Afterwards deploy/invariants.py lets the work in flight finish, catches up as beat would, and
checks that nothing was lost or doubled. The report: per request type, throughput and
p50/p95/p99 (Locust's), errors, the bare Django view's figures from the same run as the floor,
the webhooks the emulator delivered (from nginx's log), and for the fault run every 5xx with the
fault window it fell in. Results: var/loadtest/<run>.json and Markdown on stdout. Exits 1 when an
invariant or the 5xx rule does not hold.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from deploy.client import call
from deploy.stack import ROOT, Stack, wait_for

LOCUST = ROOT / "var" / "locust-venv" / "bin" / "locust"
RESULTS = ROOT / "var" / "loadtest"
WEBHOOK_PATH = "/api/v1/payments/webhook/"
FLOOR = "floor: bare Django view"


def machine() -> dict:
    return {
        "nproc": os.cpu_count(),
        "load_avg_at_start": round(os.getloadavg()[0], 2),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


class Faults:
    """The fault schedule of a run, and the windows during which a dependency was down."""

    def __init__(self, stack: Stack, at: dict[str, float]):
        self.stack, self.at = stack, at
        self.windows: list[dict] = []
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.t0 = time.time()
        self.thread.start()

    def join(self) -> None:
        self.thread.join()

    def _wait_until(self, offset: float) -> None:
        time.sleep(max(0.0, self.t0 + offset - time.time()))

    def _ready(self) -> None:
        for web in self.stack.web:
            wait_for(lambda url=web.url: call("GET", f"{url}/readyz").status == 200,
                     "readiness", 120)  # fmt: skip

    def _window(self, name: str, act, **facts) -> None:
        start = time.time()
        details = act() or {}
        self._ready()
        self.windows.append({"fault": name, "start": start, "end": time.time(), **facts, **details})

    def _run(self) -> None:
        self._wait_until(self.at["kill_worker"])
        self._window("kill -9 a Celery worker mid-task", self._kill_worker)
        self._wait_until(self.at["restart_redis"])
        self._window("restart Redis (3 s down)", lambda: self.stack.redis.restart(down_for=3))
        self._wait_until(self.at["restart_postgres"])
        self._window(
            "restart PostgreSQL (5 s down)", lambda: self.stack.postgres.restart(down_for=5)
        )

    def _kill_worker(self) -> dict:
        """SIGKILL worker 1 (its main process and pool) while a task runs in it."""
        worker = self.stack.workers[0]
        deadline = time.monotonic() + 20
        in_flight: set[str] = set()
        while time.monotonic() < deadline:
            started, done = set(), set()
            for line in self.stack.json_logs(worker):
                if line.get("event") == "task_started":
                    started.add(line.get("task_id"))
                elif line.get("event") in ("task_succeeded", "task_failed", "task_retrying"):
                    done.add(line.get("task_id"))
            in_flight = started - done
            if in_flight:
                break
            time.sleep(0.02)
        worker.kill()
        time.sleep(2)  # a supervisor's restart delay
        self.stack.restart_worker(1)
        return {"tasks_running_when_killed": len(in_flight)}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def locust_stats(prefix: Path) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": float(row["Requests/s"]),
                    "p50": float(row["50%"] or 0),
                    "p95": float(row["95%"] or 0),
                    "p99": float(row["99%"] or 0),
                }
            )
    return rows


def nginx_log(stack: Stack) -> list[dict]:
    lines = []
    for line in (stack.folder / "nginx" / "access.log").read_text().splitlines():
        entry = json.loads(line)
        entry["ts"] = dt.datetime.fromisoformat(entry["time"]).timestamp()
        lines.append(entry)
    return lines


def server_errors(entries: list[dict], windows: list[dict]) -> dict:
    """Every 5xx, each with the fault window it fell in (None: none). The rule: outside a
    window none at all; inside one only 503, or any 5xx for a webhook delivery (Stripe retries
    it)."""
    breaking, allowed = [], []
    for entry in entries:
        if entry["status"] < 500:
            continue
        # nginx logs whole seconds: a request counts as in a window if its second overlaps.
        window = next(
            (w["fault"] for w in windows if w["start"] - 1 <= entry["ts"] <= w["end"] + 1), None
        )
        ok = window is not None and (entry["status"] == 503 or entry["uri"] == WEBHOOK_PATH)
        item = {"status": entry["status"], "uri": entry["uri"], "fault": window}
        (allowed if ok else breaking).append(item)
    return {"allowed": allowed, "breaking": breaking}


def run(name: str, *, duration: int, users: int, faults: bool) -> dict:
    env_extra = {
        "DJANGO_SETTINGS_MODULE": "deploy.settings",
        # A killed worker's claimed e-mail is sent again after this lease (600 s by default).
        "NOTIFICATION_SENDING_LEASE_SECONDS": "20",
    }
    out = RESULTS / name
    out.mkdir(parents=True, exist_ok=True)
    print(f"\n== {name}: starting the deployment", flush=True)
    facts = machine()
    started = time.time()
    with Stack(f"loadtest-{name}", web=2, workers=2, extra_env=env_extra) as stack:
        accounts = stack.python("from deploy.seed import seed\nprint(seed(trainers=8, clients=60))")
        (out / "accounts.json").write_text(accounts)
        print(f"   up in {time.time() - started:.0f} s; {users} users for {duration} s", flush=True)
        schedule = None
        if faults:
            schedule = Faults(
                stack,
                {"kill_worker": duration * 0.2, "restart_redis": duration * 0.45,
                 "restart_postgres": duration * 0.7},
            )  # fmt: skip
        locust = subprocess.Popen(
            [str(LOCUST), "-f", str(ROOT / "deploy" / "locustfile.py"), "--headless",
             "--users", str(users), "--spawn-rate", str(max(1, users // 5)),
             "--run-time", f"{duration}s", "--host", stack.url, "--csv", str(out / "locust"),
             "--only-summary", "--stop-timeout", "10"],
            cwd=ROOT,
            env={**os.environ, "LOADTEST_ACCOUNTS": str(out / "accounts.json"),
                 "LOADTEST_STRIPE_URL": stack.stripe_url},
            stdout=open(out / "locust.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        load_start = time.time()
        if schedule:
            schedule.start()
        locust.wait()
        load_end = time.time()
        if schedule:
            schedule.join()
        print("   load done; settling and checking invariants", flush=True)
        code = (
            "import json\nfrom deploy.invariants import settle_and_check\n"
            f"print(json.dumps(settle_and_check({stack.stripe_url!r}, "
            f"{str(stack.folder / 'mail')!r})))"
        )
        invariants = json.loads(stack.python(code, timeout=900).strip().splitlines()[-1])
        entries = nginx_log(stack)
        in_load = [e for e in entries if load_start <= e["ts"] <= load_end + 1]
        webhooks = [e for e in entries if e["uri"] == WEBHOOK_PATH]
        windows = schedule.windows if schedule else []
        result = {
            "run": name,
            "duration_s": duration,
            "users": users,
            "machine": facts,
            "requests": locust_stats(out / "locust"),
            "webhooks": {
                "delivered": len(webhooks),
                "per_s": round(len(webhooks) / max(load_end - load_start, 1), 2),
                "p50_ms": round(percentile([e["request_time"] * 1000 for e in webhooks], 50), 1),
                "p95_ms": round(percentile([e["request_time"] * 1000 for e in webhooks], 95), 1),
                "p99_ms": round(percentile([e["request_time"] * 1000 for e in webhooks], 99), 1),
                "statuses": dict(
                    sorted(
                        {
                            str(s): sum(1 for e in webhooks if e["status"] == s)
                            for s in {e["status"] for e in webhooks}
                        }.items()
                    )
                ),
            },
            "nginx_requests_during_load": len(in_load),
            "faults": [
                {
                    **w,
                    "start": round(w["start"] - load_start, 1),
                    "end": round(w["end"] - load_start, 1),
                }
                for w in windows
            ],
            "server_errors": server_errors(entries, windows),
            "invariants": invariants,
        }
    result["ok"] = invariants["ok"] and not result["server_errors"]["breaking"]
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    return result


def markdown(result: dict) -> str:
    floor = next((r for r in result["requests"] if r["name"] == FLOOR), None)
    lines = [
        f"### {result['run']}: {result['users']} users, {result['duration_s']} s",
        "",
        "| request | requests | req/s | p50 ms | p95 ms | p99 ms | errors | p50 / floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["requests"]:
        ratio = f"{r['p50'] / floor['p50']:.1f}x" if floor and floor["p50"] else ""
        lines.append(
            f"| {r['name']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} "
            f"| {r['p99']:.0f} | {r['failures']} | {ratio} |"
        )
    w = result["webhooks"]
    lines += [
        "",
        f"Webhooks delivered by the emulator: {w['delivered']} ({w['per_s']}/s), p50 "
        f"{w['p50_ms']} ms, p95 {w['p95_ms']} ms, p99 {w['p99_ms']} ms, statuses {w['statuses']}.",
    ]
    for f in result["faults"]:
        extra = {k: v for k, v in f.items() if k not in ("fault", "start", "end")}
        lines.append(
            f"- {f['fault']}: at {f['start']} s, ready again after {f['end'] - f['start']:.1f} s"
            + (f" {extra}" if extra else "")
        )
    errors = result["server_errors"]
    lines.append(
        f"- 5xx: {len(errors['allowed'])} allowed (503 or a webhook, during a fault), "
        f"{len(errors['breaking'])} breaking the rule {errors['breaking'][:10]}"
    )
    inv = result["invariants"]
    failing = {k: v[:10] for k, v in inv["problems"].items() if v}
    lines.append(f"- invariants: {'all hold' if inv['ok'] else failing}; {inv['counts']}")
    lines.append(f"- catch-up: {inv['catch_up']}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="one clean run of a minute (CI)")
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--duration", type=int, default=120, help="seconds of load per run")
    args = parser.parse_args()
    if not LOCUST.exists():
        sys.exit("Locust is missing: run `make loadtest` (it installs var/locust-venv).")
    runs = [("ci", 60, False)] if args.short else [
        ("clean", args.duration, False), ("faults", args.duration, True)
    ]  # fmt: skip
    results = [run(name, duration=d, users=args.users, faults=f) for name, d, f in runs]
    for result in results:
        print("\n" + markdown(result))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
