"""python -m bench [name ...]: run the named benchmarks (default: all, in this order).

Each benchmark is a module of this package with a `main()`; add yours to BENCHMARKS. Each runs
in a process of its own: a benchmark configures Django for its own database, and Django can be
configured once per process.
"""

import subprocess
import sys

BENCHMARKS = {
    "analytics": "bench.analytics",
    "payments": "bench.payments",
    "admin": "bench.admin",
    "ledger": "bench.ledger",
    "emulator": "bench.emulator",
    "directory": "bench.directory",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(BENCHMARKS)}")
        return 2
    if len(names) == 1:
        print(f"== bench {names[0]}", flush=True)
        module = BENCHMARKS[names[0]]
        code = f"import {module} as b; b.main()"
        return subprocess.call([sys.executable, "-c", code])
    failed = [name for name in names if main([name]) != 0]
    if failed:
        print(f"Failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
