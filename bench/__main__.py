"""python -m bench [name ...]: run the named benchmarks (default: all, in this order).

Each benchmark is a module of this package with a `main()`; add yours to BENCHMARKS.
"""

import importlib
import sys

BENCHMARKS = {
    "analytics": "bench.analytics",
    "payments": "bench.payments",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        print(f"== bench {name}", flush=True)
        importlib.import_module(BENCHMARKS[name]).main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
