"""A notebook executed in a real Jupyter kernel, cell by cell, under the import rule.

    result = run_notebook(nb, path, out_dir, keep_going=False, timeout=1800)
    result["cells"]   # {"run": 6, "failed": 0, "skipped": 0}; "failures", "missing", "executed"

nbclient drives an ipykernel kernel on local sockets (IPC, in a private
folder: no network address at all) whose working directory is ``out_dir``.
Before the first cell a hidden one (not in the notebook, not counted) gives
the kernel the era's NumPy and the import rule (an IPython AST transformer
and the finder for the notebook's folder); after the last, another asks it
which TF 1.x names ``tf1repro.tf1`` refused.  Output is printed as it comes;
the executed copy is written to ``out_dir`` however the run ends, and the
kernel is always stopped.  nbclient and ipykernel are the ``notebook`` extra.
"""

import json
import os
import re
import shutil
import sys
import tempfile

from tf1repro.errors import UserError
from tf1repro.files import write_atomic

KERNEL_NAME = "tf1repro"
KERNEL_DISPLAY_NAME = "Python 3 (tf1repro: TF 1.x code)"
INSTALL_HINT = "pip install -e .[notebook] (./run.sh run installs it)"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

_SETUP = """\
import sys as _s
_s.path.insert(1, {folder!r})
from tf1repro.runner.program import prepare as _p
print(_p([{folder!r}], numpy_print={numpy_print!r}, ipython=get_ipython(), rules={rules},
         libraries={libraries!r}))
del _s, _p
"""
_ORIGIN = """\
import json as _j, sys as _s
from tf1repro.runner.summary import failure as _f
print(_j.dumps(_f(_s.last_value, [{folder!r}])))
del _j, _s, _f
"""
_REPORT = """\
import json as _j
from tf1repro.runner.program import missing_names as _m
print(_j.dumps(_m()))
del _j, _m
"""


def require_jupyter():
    try:
        import nbclient  # noqa: F401  (present, or the one line below)
        import nbformat  # noqa: F401
        import ipykernel  # noqa: F401
    except ImportError as e:
        raise UserError(f"running a notebook needs Jupyter's nbclient and ipykernel ({e}): "
                        f"{INSTALL_HINT}") from None


def register_kernel(log):
    """Register the ``tf1repro`` kernel (this Python) for the user, so any Jupyter finds it.

    Returns the kernel name to run with: ``tf1repro``, or None when it cannot
    be registered (said in one line; this Python's own ``python3`` then).
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


def client_class():
    from nbclient import NotebookClient

    class StreamingClient(NotebookClient):
        """Prints each cell's output as the kernel sends it; errors (plain text) on stderr."""

        echo = staticmethod(print)
        quiet = False

        def output(self, outs, msg, display_id, cell_index):
            content, kind = msg["content"], msg["msg_type"]
            if self.quiet:
                pass
            elif kind == "stream" and content.get("name") == "stdout":
                self.echo(content["text"], end="", flush=True)
            elif kind == "stream":
                sys.stderr.write(content["text"])
            elif kind == "execute_result":
                self.echo(content["data"].get("text/plain", ""), flush=True)
            elif kind == "error":
                sys.stderr.write(_ANSI.sub("", "\n".join(content["traceback"])) + "\n")
            return super().output(outs, msg, display_id, cell_index)

    return StreamingClient


def _error(cell):
    return next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)


def _hidden(client, source):
    """Run ``source`` in the kernel outside the notebook; its stdout (an error: UserError)."""
    import nbformat
    cell = nbformat.v4.new_code_cell(source)
    nb, client.nb, client.quiet = client.nb, nbformat.v4.new_notebook(cells=[cell]), True
    try:
        client.execute_cell(cell, 0, store_history=False)
    finally:
        client.nb, client.quiet = nb, False
    error = _error(cell)
    if error is not None:
        raise UserError(f"setting up the kernel failed: {error.ename}: {error.evalue}")
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


def _told(client, folder):
    try:
        return json.loads(_hidden(client, _ORIGIN.format(folder=folder)))
    except (UserError, ValueError):  # the kernel could not say: the summary says less
        return {}


def label(cell):
    """How the summary names a cell: the In [N] the notebook recorded, else its id."""
    metadata = cell.get("metadata", {})
    if "injected-parameters" in metadata.get("tags", []):
        return "injected-parameters"
    return metadata.get("tf1repro_label") or f"cell {cell.get('id', '?')}"


def set_labels(nb):
    """Name each code cell as the notebook recorded it (In [12]), before injection renumbers."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    for n, cell in enumerate(code, 1):
        count = cell.get("execution_count")
        cell.metadata["tf1repro_label"] = f"In [{count}]" if count is not None else f"cell {n}"


def run_notebook(nb, path, out_dir, keep_going=False, timeout=1800, numpy_print=None, log=print,
                 rules="{}", libraries=None):
    """Execute ``nb`` (read from ``path``) in a fresh kernel working in ``out_dir``; the record."""
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    os.makedirs(out_dir, exist_ok=True)
    executed = os.path.join(out_dir, os.path.basename(path))
    kernel_name = register_kernel(log) or "python3"
    sockets = tempfile.mkdtemp(prefix="tf1repro-kernel-")
    km = KernelManager(kernel_name=kernel_name, transport="ipc",
                       ip=os.path.join(sockets, "kernel"))
    client = client_class()(nb, km=km, timeout=timeout, kernel_name=kernel_name,
                            allow_errors=True, resources={"metadata": {"path": out_dir}})
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    record = {"executed": executed, "kernel_pid": None, "failures": [], "missing": None,
              "cells": {"run": 0, "failed": 0, "skipped": 0}}
    log(f"# kernel: {kernel_name} on local sockets, working directory {out_dir}")
    client.reset_execution_trackers()
    try:
        with client.setup_kernel():
            record["kernel_pid"] = km.provisioner.pid
            info = client.wait_for_reply(client.kc.kernel_info())
            nb.metadata["language_info"] = info["content"]["language_info"]
            folder = os.path.dirname(os.path.abspath(path))
            log(_hidden(client, _SETUP.format(folder=folder, numpy_print=numpy_print,
                                                  rules=rules, libraries=libraries)).rstrip())
            stopped = False
            for n, index in enumerate(code):
                cell = nb.cells[index]
                if stopped:
                    record["cells"]["skipped"] += 1
                    continue
                try:
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                    error = _error(cell)
                    what = error and f"{error.ename}: {error.evalue}"
                except (CellTimeoutError, DeadKernelError) as e:
                    what, stopped = f"{type(e).__name__}: {str(e).strip().splitlines()[-1]}", True
                record["cells"]["run"] += 1
                if what:
                    record["cells"]["failed"] += 1
                    first = next((l for l in cell.source.splitlines() if l.strip()), "")
                    # Whose code raised, asked of the kernel (it holds the exception's frames).
                    told = _told(client, folder) if error and km.is_alive() else {}
                    record["failures"].append({"cell": label(cell), "index": index,
                                               "first_line": first.strip(), "error": what,
                                               "origin": told.get("origin"), "why": told.get("why")})
                    stopped = stopped or not keep_going
            if km.is_alive():
                record["missing"] = json.loads(_hidden(client, _REPORT))
            client.set_widgets_metadata()
    finally:
        for cell in nb.cells:
            cell.get("metadata", {}).pop("tf1repro_label", None)
        write_atomic(executed, nbformat.writes(nb))
        # nbclient stops only kernels it made itself; this one is ours to stop.
        try:
            if client.kc is not None:
                client.kc.stop_channels()
        finally:
            if km.has_kernel:
                km.shutdown_kernel(now=False)
            shutil.rmtree(sockets, ignore_errors=True)
    return record
