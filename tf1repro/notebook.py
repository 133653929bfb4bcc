"""The seed notebook's text as Jupyter notebooks (``notebooks/``).

    seed = from_seed_text(text, rewrite_imports=False)   # the seed as written: SEED_NOTEBOOK
    nb = from_seed_text(text)                            # imports under the rule: NOTEBOOK

Both hold the seed's markdown cell (the four batch-norm equations), its code
cells in order and the outputs it recorded (In [21]'s log, cut off as it was;
In [22]'s list), with the release that printed them in their metadata.
``SEED_NOTEBOOK`` keeps the imports as written; ``./run.sh notebook`` runs it
with ``./run.sh run`` (``tf1repro.runner``), which applies the import rule
itself.  ``NOTEBOOK`` has its import lines rewritten by the rule of
``tf1repro.tf1`` and nothing else, for code that imports the module itself.
"""

import json
import os
import re
import time

from tf1repro.runner.kernel import KERNEL_DISPLAY_NAME, KERNEL_NAME
from tf1repro.runtime.releases import SEED as SEED_RELEASE

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "notebooks", "batch_normalization_mnist.ipynb")
# The seed byte for byte (imports as written), for ``./run.sh run`` / ``notebook``.
SEED_NOTEBOOK = os.path.join(ROOT, "notebooks", "seed_000_c5963ccd6037a953.ipynb")

_CELL = re.compile(r"^In \[([^\]]*)\]:\n", re.M)
# Where the recorded outputs begin: In [21]'s log, In [22]'s list.
_OUTPUT = re.compile(r"^(0 Batch accuracy|\['hidden1)", re.M)
_IMPORT = re.compile(r"^(\s*)(import|from)(\s+)tensorflow\b", re.M)


def import_rule(code):
    """The one change TF 1.x code needs: in import lines, ``tensorflow`` becomes ``tf1repro.tf1``."""
    return _IMPORT.sub(r"\1\2\3tf1repro.tf1", code)


def _lines(text):
    """nbformat's on-disk form of a multi-line string: a list of lines, newlines kept."""
    return text.splitlines(keepends=True)


def from_seed_text(text, rewrite_imports=True):
    """The seed's text (``In [N]:`` headers, code, recorded outputs) as an nbformat-4 dict.

    ``rewrite_imports=False``: the code exactly as the seed has it (for ``run``),
    and the release that printed it in the metadata.
    """
    rule = import_rule if rewrite_imports else (lambda code: code)
    parts = _CELL.split(text)
    cells = [{"cell_type": "markdown", "id": "equations", "metadata": {},
              "source": _lines(parts[0].rstrip("\n"))}]
    for label, body in zip(parts[1::2], parts[2::2]):
        recorded = _OUTPUT.search(body)
        code = body[:recorded.start()] if recorded else body
        count = None if label == "None" else int(label)
        outputs = []
        if recorded and label == "22":
            outputs.append({"output_type": "execute_result", "execution_count": count,
                            "metadata": {},
                            "data": {"text/plain": _lines(body[recorded.start():].rstrip("\n"))}})
        elif recorded:
            outputs.append({"output_type": "stream", "name": "stdout",
                            "text": _lines(body[recorded.start():].rstrip("\n"))})
        # In [12] holds n_epochs and batch_size: papermill's parameters cell.
        metadata = {"tags": ["parameters"]} if label == "12" else {}
        cells.append({"cell_type": "code", "execution_count": count, "id": f"in-{label.lower()}",
                      "metadata": metadata, "outputs": outputs,
                      "source": _lines(rule(code).rstrip("\n"))})
    metadata = {"kernelspec": {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME,
                               "language": "python"},
                "language_info": {"name": "python"}}
    if not rewrite_imports:
        metadata["tf1repro"] = {"tf1_release": SEED_RELEASE}
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5, "metadata": metadata}


def dumps(nb):
    """JSON text as nbformat writes it (one-space indent, sorted keys, final newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --- running it: tf1repro.runner's kernel runner (``./run.sh run``) ----------------

def default_out_dir():
    """A new folder under ``checkpoints/notebook/``, named by the time."""
    base = os.path.join(ROOT, "checkpoints", "notebook", time.strftime("%Y%m%d-%H%M%S"))
    out, n = base, 1
    while os.path.exists(out):
        n += 1
        out = f"{base}-{n}"
    return out
