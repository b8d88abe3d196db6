"""Benchmarks run by `make bench` (python -m bench [name ...]), never by `make test`."""
