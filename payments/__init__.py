"""Payments: money and Stripe, in layers (intake, commands, apply, state, stripe_client). The
README's "Architecture" section says what each holds; core/tests/test_import_graph.py keeps the
imports running downwards."""
