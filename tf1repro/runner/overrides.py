"""``--set NAME=VALUE`` and ``--smoke``: every assignment of NAME gets VALUE, wherever it is.

    rules = parse(["n_epochs=1"], smoke=True)       # {"n_epochs": Rule(1, forced=True), ...}
    tree = Overrides(rules, "train.py").visit(tree) # .done: [(where, line, name, old, new)]
    get_ipython().ast_transformers.append(Overrides(rules))   # a kernel's cells, the same

``-p`` sets a value once, papermill's way; a textbook chapter assigns
``n_epochs = 40`` (or 1000, with early stopping) again in each training cell,
so only an override of every assignment shortens them all.  Assignments are
``NAME = v``, ``NAME: T = v``, ``a = NAME = v`` and ``NAME, b = v, w`` (a
tuple of the same length), at any depth (cells, functions, classes), and the
bindings of a parameter NAME: a call's keyword (``clf.fit(X, y, n_epochs=1000)``)
and a default (``def fit(self, X, y, n_epochs=100)``).  Augmented assignments
(``n += 1``) and loop targets are left alone: they count, not configure.  The
original file is never edited.

``--smoke`` is ``--set`` for the era's names of epoch and step counts, but
honest about it: only where the program assigns a whole number above the cap
(``n_epochs = 40`` becomes 1; ``n_epochs = None`` or ``= FLAGS.epochs``
stay).  Loops over a literal ``range(1000)`` are not cut: a loop's count is
not always a training length (the same ``range`` draws plots and builds data).
"""

import ast
from dataclasses import dataclass

from tf1repro.errors import UserError
from tf1repro.runner.parameters import cell_tree, literal

# The era's names for how long training runs, each an epoch or step count in the
# examples of its books and tutorials (handson-ml: n_epochs, n_iterations;
# TensorFlow's tutorials: training_epochs, num_epochs, max_steps; Keras: epochs).
# Not n_steps or num_steps: in the era's RNN code they are sequence lengths.
SMOKE_NAMES = ("n_epochs", "num_epochs", "training_epochs", "epochs", "n_iterations",
               "num_iterations", "training_iters", "max_steps", "training_steps")
SMOKE_CAP = 1


@dataclass(frozen=True)
class Rule:
    value: object
    forced: bool  # --set: always; --smoke: only a whole number above ``value``


def parse(pairs, smoke=False):
    """``["NAME=VALUE", ...]`` (and the smoke names) to ``{NAME: Rule}``; --set wins over --smoke."""
    rules = {name: Rule(SMOKE_CAP, False) for name in SMOKE_NAMES} if smoke else {}
    for pair in pairs:
        name, eq, text = pair.partition("=")
        name = name.strip()
        if not eq or not name.isidentifier():
            raise UserError(f"--set {pair}: give NAME=VALUE, NAME a Python name (--set n_epochs=1)")
        rules[name] = Rule(literal(text.strip()), True)
    return rules


def source(rules):
    """The rules as a Python expression (for the kernel's set-up cell)."""
    return "{" + ", ".join(f"{k!r}: ({r.value!r}, {r.forced!r})" for k, r in rules.items()) + "}"


def from_source(pairs):
    return {k: Rule(v, f) for k, (v, f) in pairs.items()}


class Overrides(ast.NodeTransformer):
    """Replaces the value of each assignment the rules name; ``done`` lists what it replaced."""

    def __init__(self, rules, where=None):
        self.rules = rules if all(isinstance(r, Rule) for r in rules.values()) else from_source(rules)
        self.where = where
        self.done = []

    def _new(self, name, old, line):
        rule = self.rules.get(name)
        if rule is None:
            return None
        if not rule.forced:
            is_count = (isinstance(old, ast.Constant) and type(old.value) is int)
            if not is_count or old.value <= rule.value:
                return None
        self.done.append((self.where, line, name, ast.unparse(old), repr(rule.value)))
        return ast.copy_location(ast.Constant(rule.value), old)

    def visit_Assign(self, node):
        self.generic_visit(node)
        names = [t for t in node.targets if isinstance(t, ast.Name)]
        hit = [t for t in names if t.id in self.rules]
        if len(node.targets) == 1 and isinstance(node.targets[0], ast.Tuple) \
                and isinstance(node.value, ast.Tuple) \
                and len(node.targets[0].elts) == len(node.value.elts):
            for i, (t, v) in enumerate(zip(node.targets[0].elts, node.value.elts)):
                new = isinstance(t, ast.Name) and self._new(t.id, v, node.lineno)
                if new:
                    node.value.elts[i] = new
            return node
        if not hit:
            return node
        if len(node.targets) == 1:
            new = self._new(hit[0].id, node.value, node.lineno)
            if new:
                node.value = new
            return node
        # a = n_epochs = 40: the others keep 40, n_epochs gets its own assignment after.
        out = [node]
        for t in hit:
            new = self._new(t.id, node.value, node.lineno)
            if new:
                node.targets.remove(t)
                out.append(ast.copy_location(ast.Assign(targets=[t], value=new), node))
        if not node.targets:
            out.pop(0)
        return out

    def visit_AnnAssign(self, node):
        self.generic_visit(node)
        if node.value is not None and isinstance(node.target, ast.Name):
            new = self._new(node.target.id, node.value, node.lineno)
            if new:
                node.value = new
        return node

    def visit_keyword(self, node):
        # fit(X, y, n_epochs=1000): a call's keyword sets the training length as surely
        self.generic_visit(node)
        if node.arg is not None:
            new = self._new(node.arg, node.value, node.value.lineno)
            if new:
                node.value = new
        return node

    def _defaults(self, node):
        # def fit(self, n_epochs=100): a parameter's default, the value a plain call gets
        self.generic_visit(node)
        args = node.args
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults):], range(len(args.defaults))))
        for arg, i in pairs:
            new = self._new(arg.arg, args.defaults[i], args.defaults[i].lineno)
            if new:
                args.defaults[i] = new
        for i, (arg, default) in enumerate(zip(args.kwonlyargs, args.kw_defaults)):
            new = default is not None and self._new(arg.arg, default, default.lineno)
            if new:
                args.kw_defaults[i] = new
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _defaults

    def visit(self, node):
        return ast.fix_missing_locations(super().visit(node)) if isinstance(node, ast.Module) \
            else super().visit(node)


def preview_cells(nb, rules, label):
    """What the kernel's transformer will replace in ``nb``'s code cells, for the header."""
    done = []
    for cell in nb.cells:
        tree = cell_tree(cell.source) if rules and cell.cell_type == "code" else None
        if tree is not None:
            changed = Overrides(rules, label(cell))
            changed.visit(tree)
            done += changed.done
    return done


def describe_rules(rules):
    """``--set batch_size=2; --smoke: n_epochs, ... above 1 -> 1``."""
    forced = [f"{k}={r.value!r}" for k, r in rules.items() if r.forced]
    capped = [k for k, r in rules.items() if not r.forced]
    return "; ".join(([f"--set {', '.join(forced)}"] if forced else [])
                     + ([f"--smoke: {', '.join(capped)} above {SMOKE_CAP} -> {SMOKE_CAP}"]
                        if capped else []))


def describe(done):
    """One line per replaced assignment: ``In [45] line 3: n_epochs 40 -> 1``."""
    return [f"{where} line {line}: {name} {old} -> {new}" for where, line, name, old, new in done]


def as_records(done):
    return [{"cell": where, "line": line, "name": name, "old": old, "new": new}
            for where, line, name, old, new in done]
