"""The seed notebook as a Jupyter notebook, and running it headless in a real kernel.

    nb = from_seed_text(open(seed).read())        # the .ipynb in notebooks/, as a dict
    run(NOTEBOOK, out_dir, epochs=2)              # ./run.sh notebook --epochs 2 --out DIR

``notebooks/batch_normalization_mnist.ipynb`` is the seed: its markdown cell
(the four batch-norm equations) and its code cells in order, each with the
import lines rewritten by the rule of ``tf1repro.tf1`` (``tensorflow`` becomes
``tf1repro.tf1``) and nothing else changed, and the outputs the notebook
recorded (In [21]'s log, cut off as it was; In [22]'s list).  ``run``
executes it with nbclient in an ipykernel kernel whose working directory is
``out_dir``, so ``./my_model_final.ckpt`` and the executed copy land there.
A shorter run injects ``n_epochs`` in a cell of its own after the cell
tagged ``parameters`` (In [12]), as papermill does; the cells stay as written.
nbclient and ipykernel are the ``notebook`` extra, imported only by ``run``.
"""

import json
import os
import re
import shutil
import sys
import tempfile
import time

from tf1repro.errors import UserError
from tf1repro.files import write_atomic

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOTEBOOK = os.path.join(ROOT, "notebooks", "batch_normalization_mnist.ipynb")
KERNEL_NAME = "tf1repro"
KERNEL_DISPLAY_NAME = "Python 3 (tf1repro: TF 1.x code)"
INSTALL_HINT = "pip install -e .[notebook] (./run.sh notebook installs it)"

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


def from_seed_text(text):
    """The seed's text (``In [N]:`` headers, code, recorded outputs) as an nbformat-4 dict."""
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
                      "source": _lines(import_rule(code).rstrip("\n"))})
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": KERNEL_NAME, "display_name": KERNEL_DISPLAY_NAME,
                                        "language": "python"},
                         "language_info": {"name": "python"}}}


def dumps(nb):
    """JSON text as nbformat writes it (one-space indent, sorted keys, final newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --- running it -------------------------------------------------------------------

def _require_jupyter():
    try:
        import nbclient  # noqa: F401
        import nbformat  # noqa: F401
        import ipykernel  # noqa: F401
    except ImportError as e:
        raise UserError(f"running the notebook needs Jupyter's nbclient and ipykernel ({e}): "
                        f"{INSTALL_HINT}") from None


def register_kernel(log):
    """Register the ``tf1repro`` kernel (this Python) for the user, so any Jupyter finds it.

    Returns the kernel name to run with: ``tf1repro``, or, when it cannot be
    registered, ``python3`` of this same interpreter (said in one line).
    """
    from ipykernel.kernelspec import install
    try:
        path = install(user=True, kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY_NAME)
    except Exception as e:  # a read-only home, ...
        log(f"# could not register the {KERNEL_NAME} kernel ({e}); running with this "
            "Python's own kernel")
        return None
    log(f"# kernel '{KERNEL_NAME}' registered in {path} ({sys.executable})")
    return KERNEL_NAME


def inject_epochs(nb, epochs):
    """Insert ``n_epochs = epochs`` in a cell of its own after the ``parameters`` cell."""
    import nbformat
    at = next((i for i, c in enumerate(nb.cells)
               if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if at is None:
        raise UserError("the notebook has no cell tagged 'parameters' to inject --epochs after")
    cell = nbformat.v4.new_code_cell(f"# Parameters\nn_epochs = {epochs}\n",
                                     metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(at + 1, cell)


def _client_class():
    from nbclient import NotebookClient

    class StreamingClient(NotebookClient):
        """Prints each cell's output as the kernel sends it, as a notebook shows it."""

        echo = staticmethod(print)

        def output(self, outs, msg, display_id, cell_index):
            content = msg["content"]
            kind = msg["msg_type"]
            if kind == "stream" and content.get("name") == "stdout":
                self.echo(content["text"], end="", flush=True)
            elif kind == "stream":
                sys.stderr.write(content["text"])
            elif kind == "execute_result":
                self.echo(content["data"].get("text/plain", ""), flush=True)
            return super().output(outs, msg, display_id, cell_index)

    return StreamingClient


def run(path, out_dir, epochs=None, timeout=1800, log=print):
    """Execute the notebook at ``path`` in a fresh kernel working in ``out_dir``.

    Prints the cells' output as it comes; writes the executed copy into
    ``out_dir``; returns (its path, the kernel's pid).  A cell that raises:
    UserError naming the cell, after the executed copy (with the traceback)
    is written.  The kernel is shut down however the run ends.
    """
    _require_jupyter()
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as e:
        raise UserError(f"{path}: cannot read the notebook ({e})") from None
    if epochs is not None:
        inject_epochs(nb, epochs)
    # The seed's labels (In [21], In [None]), before execution renumbers the cells.
    labels = [f"In [{c.execution_count}]" if "injected-parameters" not in
              c.metadata.get("tags", []) else "injected-parameters"
              for c in nb.cells if c.cell_type == "code"]
    os.makedirs(out_dir, exist_ok=True)
    executed = os.path.join(out_dir, os.path.basename(path))
    kernel_name = register_kernel(log) or "python3"
    # IPC (Unix sockets, in a private folder): the kernel listens on no network
    # address at all, and its messages never cross one unencrypted.
    sockets = tempfile.mkdtemp(prefix="tf1repro-kernel-")
    km = KernelManager(kernel_name=kernel_name, transport="ipc",
                       ip=os.path.join(sockets, "kernel"))
    pids = []
    client = _client_class()(
        nb, km=km, timeout=timeout, kernel_name=kernel_name,
        resources={"metadata": {"path": out_dir}},
        on_notebook_start=lambda **_: pids.append(km.provisioner.pid))
    log(f"# running {os.path.relpath(path)} in a Jupyter kernel ({kernel_name}, local sockets), "
        f"working directory {out_dir}" + ("" if epochs is None else f"; n_epochs = {epochs} injected"))
    started = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as e:
        write_atomic(executed, nbformat.writes(nb))
        code = [c for c in nb.cells if c.cell_type == "code"]
        failed = next((i for i, c in enumerate(code)
                       if any(o.get("output_type") == "error" for o in c.outputs)), None)
        if failed is None:
            what, where = str(e).strip().splitlines()[-1], "a cell"
        else:
            error = next(o for o in code[failed].outputs if o.output_type == "error")
            what, where = f"{error.ename}: {error.evalue}", f"cell {labels[failed]}"
        raise UserError(f"the notebook's {where} failed: {what}; the executed notebook, with the "
                        f"traceback, is {executed}") from None
    finally:
        # nbclient stops only kernels it made itself; this one is ours to stop.
        if km.has_kernel:
            km.shutdown_kernel(now=False)
        shutil.rmtree(sockets, ignore_errors=True)
    write_atomic(executed, nbformat.writes(nb))
    log(f"# done in {time.perf_counter() - started:.1f} s (kernel pid {pids[0] if pids else '?'}, "
        f"stopped); wrote {executed}")
    return executed, (pids[0] if pids else None)


def default_out_dir():
    """A new folder under ``checkpoints/notebook/``, named by the time."""
    base = os.path.join(ROOT, "checkpoints", "notebook", time.strftime("%Y%m%d-%H%M%S"))
    out, n = base, 1
    while os.path.exists(out):
        n += 1
        out = f"{base}-{n}"
    return out
