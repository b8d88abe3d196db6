"""python -m bench emulator: PaymentIntent creates per second, bare localstripe against our Stripe
emulator (manage.py stripe_emulator: localstripe behind our front), on the same machine.

Each round sends N creates one after the other over one keep-alive connection to a wiped store
(localstripe re-pickles its whole store on each write, so its speed falls as the store grows);
rounds alternate which server goes first. The figure is the median of the rounds; the machine's
load is printed with it, as it is shared.
"""

import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CREATES, ROUNDS = int(os.environ.get("BENCH_CREATES", 200)), int(os.environ.get("BENCH_ROUNDS", 4))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/js.stripe.com/v3/", timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def _creates_per_second(url: str, card_key: str) -> float:
    session = requests.Session()
    session.auth = ("sk_test_bench", "")
    session.delete(f"{url}/_config/data")
    started = time.perf_counter()
    for i in range(CREATES):
        data = {"amount": 7500, "currency": "usd", card_key: "card", "metadata[i]": str(i)}
        answer = session.post(f"{url}/v1/payment_intents", data=data)
        assert answer.status_code == 200, answer.text
    return CREATES / (time.perf_counter() - started)


def main() -> None:
    bare_port, emulator_port = _free_port(), _free_port()
    servers = [
        subprocess.Popen(
            [str(BIN / "localstripe"), "--port", str(bare_port), "--from-scratch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
        subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "stripe_emulator", "--port",
             str(emulator_port)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]  # fmt: skip
    try:
        # localstripe knows only the old name of the card-only list; the emulator both.
        targets = {
            "bare localstripe": (f"http://127.0.0.1:{bare_port}", "payment_method_types[]"),
            "stripe emulator": (
                f"http://127.0.0.1:{emulator_port}",
                "allowed_payment_method_types[]",
            ),
        }
        for url, _ in targets.values():
            _wait(url)
        print(f"load average at start: {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
        results: dict[str, list[float]] = {name: [] for name in targets}
        for round_ in range(ROUNDS):
            names = list(targets) if round_ % 2 == 0 else list(reversed(targets))
            for name in names:
                results[name].append(_creates_per_second(*targets[name]))
        for name, figures in results.items():
            rounds = ", ".join(f"{f:.0f}" for f in figures)
            print(f"{name}: {statistics.median(figures):.0f} creates/s (rounds: {rounds})")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
