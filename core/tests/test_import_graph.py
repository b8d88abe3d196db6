"""The project's imports run one way: no module imports itself back through others, imports sit at
the top of their module, and payments' layers only import downwards.

Run it on its own: `.venv/bin/pytest -q core/tests/test_import_graph.py`. It reads the source
(nothing is imported), so it also sees the import a function makes only when it runs.

A cycle is the design telling us a module holds two jobs; a function-local import is how a cycle
hides. One is allowed only where Django requires it, listed in ALLOWED_LOCAL_IMPORTS with why.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "var", "staticfiles", "node_modules", "__pycache__", ".git"}
# Standalone programs, not the application: they configure Django (django.setup()) before they
# may import a model, which is what their function-local imports wait for.
PROGRAMS = ("bench/", "scripts/", "deploy/")

# (file, imported module) -> why it cannot be at the top of the file.
ALLOWED_LOCAL_IMPORTS = {
    ("config/apps.py", "config.checks"): (
        "system checks are registered by importing their module, once the app registry is "
        "ready: AppConfig.ready() is where Django wants that"
    ),
    ("config/gunicorn.conf.py", "prometheus_client"): (
        "gunicorn's config, run in its master: prometheus_client chooses its multiprocess mode "
        "from PROMETHEUS_MULTIPROC_DIR when first imported, so not before this file sets it"
    ),
    ("payments/apps.py", "payments.receivers"): (
        "signal receivers are connected by importing their module, once the app registry is "
        "ready: AppConfig.ready() is where Django wants that"
    ),
    ("manage.py", "django.core.management"): (
        "Django's own manage.py: DJANGO_SETTINGS_MODULE is set before Django is imported"
    ),
}

# payments/, top layer first: a module may import its own layer and the layers below, never one
# above. Intake takes Stripe's events in; commands ask Stripe to act; both record what Stripe
# said through apply, where every money movement passes; state is the rows; stripe_client is the
# one door to Stripe. (The README's "Architecture" section says the same in prose.)
PAYMENTS_LAYERS = [
    (
        "entry points",
        [
            "payments.api",
            "payments.webhooks",
            "payments.tasks",
            "payments.admin",
            "payments.webhook_admin",
            "payments.transfer_admin",
            "payments.urls",
            "payments.management",
            "payments.receivers",
            "payments.apps",
            "payments.payouts_api",
        ],
    ),
    ("intake", ["payments.intake", "payments.reconciliation"]),
    ("commands", ["payments.commands"]),
    ("apply", ["payments.event_handlers", "payments.apply"]),
    ("state", ["payments.models", "payments.selectors", "payments.alerts"]),
    ("vendor boundary", ["payments.stripe_client", "payments.stripe_objects"]),
]
PAYMENTS_OUTSIDE_LAYERS = ("payments.tests", "payments.migrations")


def _source_files() -> dict[str, Path]:
    """{dotted module name: path} of every Python file of the project."""
    modules = {}
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts):
            continue
        parts = list(relative.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:
            modules[".".join(parts)] = path
    return modules


MODULES = _source_files()


def _ours(name: str) -> str | None:
    """The project module an import of `name` loads (the longest one that exists), or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The full names an import statement loads (`from a import b` loads a.b when it is a
    module, else a)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    names = []
    for alias in node.names:
        full = f"{base}.{alias.name}"
        names.append(full if full in MODULES else base)
    return names


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, path: Path):
        self.module, self.is_package = module, path.name == "__init__.py"
        self.depth = 0
        self.found: list[tuple[str, int, bool]] = []  # (imported name, line, inside a function)

    def visit_FunctionDef(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node):
        for name in _imported(node, self.module, self.is_package):
            self.found.append((name, node.lineno, self.depth > 0))

    visit_ImportFrom = visit_Import


def _imports() -> dict[str, list[tuple[str, int, bool]]]:
    found = {}
    for module, path in MODULES.items():
        visitor = _Imports(module, path)
        visitor.visit(ast.parse(path.read_text(), str(path)))
        found[module] = visitor.found
    return found


IMPORTS = _imports()


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, found in IMPORTS.items():
        for name, _line, _local in found:
            target = _ours(name)
            if target and target != module:
                graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def _is_application(path: Path) -> bool:
    relative = path.relative_to(ROOT).as_posix()
    return not (
        relative.startswith(PROGRAMS) or "/tests/" in f"/{relative}" or path.name == "conftest.py"
    )


def test_no_module_imports_itself_back():
    cycles = _cycles(_graph())
    assert not cycles, "Import cycles (each line: modules that import each other):\n" + "\n".join(
        " <-> ".join(cycle) for cycle in cycles
    )


def test_imports_sit_at_the_top_of_their_module_unless_django_requires_otherwise():
    local = {
        (path.relative_to(ROOT).as_posix(), name): line
        for module, path in MODULES.items()
        if _is_application(path)
        for name, line, inside_function in IMPORTS[module]
        if inside_function
    }
    unexplained = sorted(f"{file}:{line} imports {name}" for (file, name), line in local.items()
                         if (file, name) not in ALLOWED_LOCAL_IMPORTS)  # fmt: skip
    assert not unexplained, (
        "Function-local imports: move them to the top of the module, or (only where Django "
        "requires it) add them to ALLOWED_LOCAL_IMPORTS with the reason:\n" + "\n".join(unexplained)
    )
    stale = sorted(set(ALLOWED_LOCAL_IMPORTS) - set(local))
    assert not stale, f"ALLOWED_LOCAL_IMPORTS lists imports that are gone: {stale}"


def _layer(module: str) -> int | None:
    for position, (_name, prefixes) in enumerate(PAYMENTS_LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return position
    return None


def test_every_payments_module_has_a_layer():
    unplaced = sorted(
        module
        for module in MODULES
        if module.startswith("payments.")
        and not module.startswith(PAYMENTS_OUTSIDE_LAYERS)
        and _layer(module) is None
    )
    assert not unplaced, f"Put these in PAYMENTS_LAYERS (and the README): {unplaced}"


def test_payments_layers_import_only_downwards():
    graph = _graph()
    upward = []
    for module, targets in graph.items():
        own = _layer(module)
        if own is None:
            continue
        for target in targets:
            theirs = _layer(target)
            if theirs is not None and theirs < own:
                upward.append(
                    f"{module} ({PAYMENTS_LAYERS[own][0]}) imports {target} "
                    f"({PAYMENTS_LAYERS[theirs][0]})"
                )
    assert not upward, "Imports against the layers:\n" + "\n".join(sorted(upward))


def test_the_check_finds_a_cycle_and_a_local_import(tmp_path):
    """The walker itself: a two-module loop is a cycle, an import in a function is local."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]
    tree = ast.parse("import os\n\ndef f():\n    from payments import models\n")
    visitor = _Imports("x", tmp_path / "x.py")
    visitor.visit(tree)
    assert visitor.found == [("os", 1, False), ("payments.models", 4, True)]
