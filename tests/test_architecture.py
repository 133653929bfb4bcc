"""The package's arrows (docs/architecture.md), read from the source: each subpackage
imports only what its ``__init__`` says it may, and no library module runs the CLI."""

import ast
import os

import pytest

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tf1repro")

# What each part may never import (the arrows point the other way).
FORBIDDEN = {
    "runtime": ("runner", "cells", "runs", "explore", "bench", "cli", "notebook"),
    "runner": ("cells", "runs", "explore", "bench", "cli", "notebook"),
    "tf1": ("runner", "cells", "runs", "explore", "bench", "cli", "notebook"),
    "estimator": ("tf1", "runner", "cells", "runs", "explore", "bench", "cli", "notebook", "data"),
    "data": ("runtime", "runner", "tf1", "cells", "runs", "explore", "bench", "cli", "notebook"),
    "cells": ("runner", "runs", "explore", "bench", "cli", "notebook"),
    "runs": ("runner", "explore", "bench", "cli", "notebook"),
    "explore": ("bench", "cli"),
}


def modules(part):
    for folder, _, names in os.walk(os.path.join(PACKAGE, part)):
        for name in names:
            if name.endswith(".py"):
                yield os.path.join(folder, name)


def imported(path):
    """The tf1repro subpackages or modules ``path`` imports (``runs``, ``cli``, ...)."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "tf1repro" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("part", sorted(FORBIDDEN))
def test_each_part_imports_only_downwards(part):
    wrong = {os.path.relpath(path, PACKAGE): sorted(imported(path) & set(FORBIDDEN[part]))
             for path in modules(part)}
    assert {path: names for path, names in wrong.items() if names} == {}


def test_no_library_module_runs_the_cli():
    offenders = []
    for folder, _, names in os.walk(PACKAGE):
        for name in names:
            path = os.path.join(folder, name)
            if not name.endswith(".py") or os.path.relpath(path, PACKAGE) in ("cli.py", "__main__.py"):
                continue
            with open(path) as f:
                text = f.read()
            tree = ast.parse(text, path)
            runpy = any(isinstance(n, (ast.Import, ast.ImportFrom)) and "runpy" in
                        ([a.name for a in n.names] + [getattr(n, "module", None) or ""])
                        for n in ast.walk(tree))
            if "cli" in imported(path) or runpy or "run_module(" in text or '"-m", "tf1repro"' in text:
                offenders.append(os.path.relpath(path, PACKAGE))
    assert offenders == []
