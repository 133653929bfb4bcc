"""The seed notebook's cells, taken from the seed file itself, for tests.

    cells = seed_cells()                 # {"7": code, "11": code, ..., "22": code}
    program = under_import_rule(cells["11"])
    proc = run_cells(["11", "12", "None", "21", "22"], cwd, n_epochs=2)

The seed is the text of the notebook: ``In [N]:`` headers, each cell's code,
and the outputs the notebook recorded after ``In [21]`` and ``In [22]``.  The
repository keeps a byte-for-byte copy (``notebooks/seed_...txt``), so the
tests run in any clone; where the project's shared folder sits beside the
repository (``../shared/seeds/``), a test checks the copy against it.
"""

import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = os.path.join(ROOT, "notebooks", "seed_000_c5963ccd6037a953.txt")
SHARED_SEED = os.path.join(os.path.dirname(ROOT), "shared", "seeds", "000_c5963ccd6037a953.txt")

# The notebook's recorded outputs begin with these lines (In [21], In [22]).
_OUTPUT_START = re.compile(r"^(0 Batch accuracy|\['hidden1)", re.M)
_CELL = re.compile(r"^In \[([^\]]*)\]:\n", re.M)
_IMPORT = re.compile(r"^(\s*)(import|from)(\s+)tensorflow\b", re.M)

from tf1repro.runtime.releases import SEED as SEED_RELEASE  # noqa: E402  (the seed's release)
EPOCH_LINE = re.compile(r"^(\d+) Batch accuracy: (\S+) Validation accuracy: (\S+)$", re.M)


def seed_text():
    with open(SEED) as f:
        return f.read()


def seed_cells():
    """{label: code} of the seed's cells, outputs cut off, in notebook order."""
    parts = _CELL.split(seed_text())
    cells = {}
    for label, body in zip(parts[1::2], parts[2::2]):
        output = _OUTPUT_START.search(body)
        cells[label] = body[:output.start()] if output else body
    return cells


def recorded_output(label):
    """What the notebook recorded after cell ``label`` (In [21]'s log, In [22]'s list)."""
    parts = _CELL.split(seed_text())
    body = dict(zip(parts[1::2], parts[2::2]))[label]
    return body[_OUTPUT_START.search(body).start():]


def under_import_rule(code):
    """The one change the rule allows: in import lines, ``tensorflow`` becomes ``tf1repro.tf1``."""
    return _IMPORT.sub(r"\1\2\3tf1repro.tf1", code)


# Runs cells one after another in one namespace, as a kernel would; the last
# expression of a cell is printed as a notebook shows it (In [22]).  A cell
# "params" after In [12] stands for papermill's injected parameters.
_RUNNER = r'''
import ast, json, sys
cells = json.load(open(sys.argv[1]))
ns = {"__name__": "__main__"}
for label, code in cells:
    tree = ast.parse(code)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        exec(compile(ast.Module(tree.body[:-1], []), label, "exec"), ns)
        print(repr(eval(compile(ast.Expression(last.value), label, "eval"), ns)))
    else:
        exec(compile(tree, label, "exec"), ns)
    sys.stdout.flush()
'''


def run_cells(labels, cwd, n_epochs=None, env=None, transform=under_import_rule, extra=(),
              timeout=600):
    """Run the seed's cells ``labels`` in a fresh Python, in ``cwd``; the CompletedProcess.

    ``n_epochs`` is injected after In [12] (never edited into it); ``extra``
    are (label, code) cells appended at the end.
    """
    import json
    cells = seed_cells()
    program = []
    for label in labels:
        program.append((f"In [{label}]", transform(cells[label])))
        if label == "12" and n_epochs is not None:
            program.append(("injected-parameters", f"n_epochs = {n_epochs}\n"))
    program.extend(extra)
    path = os.path.join(cwd, "cells.json")
    with open(path, "w") as f:
        json.dump(program, f)
    # The release the seed ran on (its In [22] lists beta before gamma), as its .ipynb says.
    full_env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "TF1REPRO_TF1_RELEASE": SEED_RELEASE,
                **(env or {})}
    return subprocess.run([sys.executable, "-c", _RUNNER, path], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def epoch_lines(stdout):
    """[(epoch, batch accuracy, validation accuracy)] of a printed In [21] log."""
    return [(int(e), float(b), float(v)) for e, b, v in EPOCH_LINE.findall(stdout)]
