"""The seed notebook as a Jupyter notebook, and running it headless in a real kernel.

    nb = from_seed_text(open(seed).read())        # the .ipynb in notebooks/, as a dict
    seed = from_seed_text(text, rewrite_imports=False)   # the seed as written: SEED_NOTEBOOK
    run(NOTEBOOK, out_dir, epochs=2)              # execute one in a kernel (tf1repro.runtime.kernel)

``notebooks/batch_normalization_mnist.ipynb`` is the seed: its markdown cell
(the four batch-norm equations) and its code cells in order, each with the
import lines rewritten by the rule of ``tf1repro.tf1`` (``tensorflow`` becomes
``tf1repro.tf1``) and nothing else changed, and the outputs the notebook
recorded (In [21]'s log, cut off as it was; In [22]'s list).  ``run``
executes it with nbclient in an ipykernel kernel whose working directory is
``out_dir``, so ``./my_model_final.ckpt`` and the executed copy land there.
A shorter run injects ``n_epochs`` in a cell of its own after the cell
tagged ``parameters`` (In [12]), as papermill does; the cells stay as written.
``SEED_NOTEBOOK`` is the seed byte for byte, imports as written, with the
release that printed it in its metadata; ``./run.sh notebook`` runs it with
``./run.sh run`` (``tf1repro.runtime``), which applies the import rule itself.
nbclient and ipykernel are the ``notebook`` extra, imported only by ``run``.
"""

import json
import os
import re
import time

from tf1repro.errors import UserError

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "notebooks", "batch_normalization_mnist.ipynb")
# The seed byte for byte (imports as written), for ``./run.sh run`` / ``notebook``.
SEED_NOTEBOOK = os.path.join(ROOT, "notebooks", "seed_000_c5963ccd6037a953.ipynb")
# The release that printed In [22] (beta before gamma: TF 1.0-1.2 only).
SEED_RELEASE = "1.2"
KERNEL_NAME = "tf1repro"  # as tf1repro.runtime.kernel's
KERNEL_DISPLAY_NAME = "Python 3 (tf1repro: TF 1.x code)"

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


# --- running it: tf1repro.runtime's kernel runner (``./run.sh run``) ----------------

def _require_jupyter():
    from tf1repro.runtime.kernel import require_jupyter
    require_jupyter()


def register_kernel(log):
    """Register the ``tf1repro`` kernel for the user (``tf1repro.runtime.kernel.register_kernel``)."""
    from tf1repro.runtime.kernel import register_kernel
    return register_kernel(log)


def inject_epochs(nb, epochs):
    """Insert ``n_epochs = epochs`` in a cell of its own after the ``parameters`` cell."""
    from tf1repro.runtime import kernel, parameters
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.cells):
        raise UserError("the notebook has no cell tagged 'parameters' to inject --epochs after")
    parameters.inject_cells(nb, {"n_epochs": epochs}, kernel.label)


def run(path, out_dir, epochs=None, timeout=1800, log=print):
    """Execute the notebook at ``path`` in a fresh kernel working in ``out_dir``.

    Prints the cells' output as it comes; writes the executed copy into
    ``out_dir``; returns (its path, the kernel's pid).  A cell that raises:
    UserError naming the cell, after the executed copy (with the traceback)
    is written.  The kernel is shut down however the run ends.
    """
    _require_jupyter()
    import nbformat
    from tf1repro.runtime import kernel
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as e:
        raise UserError(f"{path}: cannot read the notebook ({e})") from None
    kernel.set_labels(nb)
    if epochs is not None:
        inject_epochs(nb, epochs)
    record = kernel.run_notebook(nb, path, out_dir, timeout=timeout, log=log)
    if record["failures"]:
        f = record["failures"][0]
        raise UserError(f"the notebook's cell {f['cell']} failed: {f['error']}; the executed "
                        f"notebook, with the traceback, is {record['executed']}")
    log(f"# done (kernel pid {record['kernel_pid']}, stopped); wrote {record['executed']}")
    return record["executed"], record["kernel_pid"]


def default_out_dir():
    """A new folder under ``checkpoints/notebook/``, named by the time."""
    base = os.path.join(ROOT, "checkpoints", "notebook", time.strftime("%Y%m%d-%H%M%S"))
    out, n = base, 1
    while os.path.exists(out):
        n += 1
        out = f"{base}-{n}"
    return out
