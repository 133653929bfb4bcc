"""A run's seed S, given to a TF 1.x program through its own seeding calls.

    os.environ[ENV] = "3"                  # what a grid's run sets before the program runs
    tree = rewrite(tree)                   # tf.set_random_seed(x) -> tf.set_random_seed(x + 3)
    get_ipython().ast_transformers.append(SeedRule(3))   # a notebook's cells, the same

The rule: in the program's own code (script, its folder's modules, a
notebook's cells) every call ``tf.set_random_seed(x)`` (also
``tf.compat.v1.set_random_seed``, ``tf.random.set_seed``),
``np.random.seed(x)`` and ``random.seed(x)`` runs with ``x + S``; a call with
no seed (or ``None``) gets ``S``.  An offset, not a replacement: seeds the
program keeps apart stay apart, its ``reset_graph(seed=42)`` still decides
both TensorFlow's and NumPy's draws together, and S = 0 keeps the program's
own seeds.  Before its first line, Python's and NumPy's generators are seeded
with S too, for a program that seeds nothing itself (so S = 0 is not quite the
program as written: its unseeded ``random.random()`` is then seeded).
"""

import ast
import os

from tf1repro.errors import UserError

ENV = "TF1REPRO_RUN_SEED"


def current():
    """The run's seed from ``$TF1REPRO_RUN_SEED``, or None when the program runs as written."""
    text = os.environ.get(ENV, "").strip()
    try:
        return int(text) if text else None
    except ValueError:
        raise UserError(f"{ENV}={text!r}: expected a whole number (the run's seed)") from None


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def is_seeding_call(node):
    """``tf.set_random_seed(..)``, ``tf.random.set_seed(..)``, ``np.random.seed(..)``, ``random.seed(..)``."""
    if not isinstance(node, ast.Call):
        return False
    name = _dotted(node.func) or ""
    *owner, leaf = name.split(".") if name else [""]
    if leaf == "set_random_seed" and owner:
        return True
    if leaf == "set_seed" and owner[-1:] == ["random"] and len(owner) >= 2:
        return True  # tf.random.set_seed, not a bare random.set_seed
    return leaf == "seed" and owner[-1:] == ["random"]  # np.random.seed, numpy.random.seed, random.seed


class SeedRule(ast.NodeTransformer):
    """Offsets the seed of each seeding call by ``seed``; ``count`` says how many it changed."""

    def __init__(self, seed):
        self.seed, self.count = int(seed), 0

    def visit_Call(self, node):
        self.generic_visit(node)
        if not is_seeding_call(node):
            return node
        self.count += 1
        keyword = None if node.args else next((k for k in node.keywords if k.arg in ("seed", "a")), None)
        given = node.args[0] if node.args else keyword.value if keyword else None
        if given is None or (isinstance(given, ast.Constant) and given.value is None):
            new = ast.Constant(self.seed)
        elif isinstance(given, ast.Constant) and isinstance(given.value, int):
            new = ast.Constant(given.value + self.seed)
        else:
            new = ast.BinOp(left=given, op=ast.Add(), right=ast.Constant(self.seed))
        node.args = [new] + node.args[1:]
        node.keywords = [k for k in node.keywords if k is not keyword]
        return node


def rewrite(tree, seed=None):
    """``tree`` with the rule applied when the run has a seed (``current()``), else as it is."""
    seed = current() if seed is None else seed
    if seed is None:
        return tree
    return ast.fix_missing_locations(SeedRule(seed).visit(tree))


def start(seed):
    """Python's and NumPy's generators seeded with ``seed`` before the program's first line."""
    import random
    import numpy as np
    random.seed(seed)
    np.random.seed(seed)


def header(seed):
    return (f"# seed: {seed} (the program's tf.set_random_seed(x), np.random.seed(x) and "
            f"random.seed(x) run with x + {seed}; Python's and NumPy's generators start from "
            f"{seed}; {ENV}={seed})")
