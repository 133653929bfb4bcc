"""The seed as a Jupyter notebook (``notebooks/``), executed in a real kernel.

The committed ``.ipynb`` is checked against the seed file, line by line, by
this test's own parsing (``seed.py``); ``./run.sh notebook`` runs the seed as
written (``notebooks/seed_...ipynb``) with ``run``, in an ipykernel kernel through nbclient, with ``n_epochs`` injected for speed here
and as written in the slow tier.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import pytest

import seed
from procs import alive
from seed import (ROOT, epoch_lines, recorded_output, seed_cells, seed_text,
                  under_import_rule)
from tf1repro import notebook

pytest.importorskip("nbclient", reason="the notebook extra: pip install -e .[notebook]")
IN_22 = eval(recorded_output("22"))  # noqa: S307 - a list literal from the seed file


def committed():
    with open(notebook.NOTEBOOK) as f:
        return json.load(f)


def run_notebook(*args, timeout=600):
    # The kernel is registered in a folder of the test's, not in the user's home.
    data_dir = os.path.join(tempfile.gettempdir(), "tf1repro-test-jupyter")
    env = {**os.environ, "JUPYTER_DATA_DIR": data_dir}
    return subprocess.run([sys.executable, "-m", "tf1repro", "notebook", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


def kernel_alive(stdout):
    return alive(int(re.search(r"kernel pid (\d+), stopped", stdout).group(1)))


def test_the_repositorys_seed_is_the_shared_one_byte_for_byte():
    if not os.path.exists(seed.SHARED_SEED):
        pytest.skip(f"no shared folder beside the repository ({seed.SHARED_SEED})")
    with open(seed.SHARED_SEED, "rb") as shared, open(seed.SEED, "rb") as ours:
        assert ours.read() == shared.read()


def test_the_committed_notebook_is_the_seed_under_the_import_rule():
    nb = committed()
    assert nb == notebook.from_seed_text(seed_text())  # regenerated, identical
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    cells = seed_cells()
    assert [str(c["execution_count"]) for c in code] == list(cells)  # 7, 11, 12, None, 21, 22
    for cell, (label, seed_code) in zip(code, cells.items()):
        source = "".join(cell["source"])
        assert source == under_import_rule(seed_code).rstrip("\n"), label
        for ours, theirs in zip(source.splitlines(), seed_code.splitlines()):
            assert ours == theirs or theirs.lstrip().startswith(("import tensorflow",
                                                                 "from tensorflow")), label
    markdown = "".join(nb["cells"][0]["source"])
    assert markdown.startswith("# Batch Normalization") and r"\sqrt{{\mathbf{\sigma}_B}^2 + \epsilon}" in markdown
    # What 2018 printed, kept as the cells' outputs.
    in_21 = "".join(code[4]["outputs"][0]["text"])
    assert in_21.startswith("0 Batch accuracy: 0.96 Validation accuracy: 0.9448\n")
    assert in_21.endswith("19 Batch accuracy: 1.0 Validation a")
    assert eval("".join(code[5]["outputs"][0]["data"]["text/plain"])) == IN_22  # noqa: S307
    assert code[2]["metadata"]["tags"] == ["parameters"]  # In [12]


@pytest.fixture(scope="module")
def two_epochs(tmp_path_factory):
    out = tmp_path_factory.mktemp("nb")
    with open(notebook.SEED_NOTEBOOK, "rb") as f:
        before = f.read()
    proc = run_notebook("--epochs", "2", "--out", str(out))
    with open(notebook.SEED_NOTEBOOK, "rb") as f:
        after = f.read()
    return out, proc, before == after


def test_notebook_runs_in_a_kernel_and_prints_its_log_and_list(two_epochs):
    out, proc, unchanged = two_epochs
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr.strip() == "", proc.stderr  # no kernel or TensorFlow noise
    assert "tf1repro-test-jupyter/kernels/tf1repro" in proc.stdout  # registered, named
    lines = epoch_lines(proc.stdout)
    assert [e for e, _, _ in lines] == [0, 1]
    for (epoch, _, valid), (_, _, recorded) in zip(lines, epoch_lines(recorded_output("21"))):
        assert abs(valid - recorded) <= (0.015 if epoch == 0 else 0.01), (epoch, valid)
    assert re.search(r"^\['hidden1/kernel:0',\n 'hidden1/bias:0',", proc.stdout, re.M)
    start = proc.stdout.index("['hidden1/kernel:0'")
    listing = proc.stdout[start:proc.stdout.index("]", start) + 1]
    assert eval(listing) == IN_22  # noqa: S307
    assert "# TF 1.x release: 1.2 (the notebook's metadata)" in proc.stdout
    assert (out / "my_model_final.ckpt.index").exists()  # the notebook's ./ is --out
    assert unchanged  # the notebook in notebooks/ was not written over
    assert not kernel_alive(proc.stdout)


def test_the_executed_copy_holds_the_run_and_the_injected_cell(two_epochs):
    out, proc, _ = two_epochs
    with open(out / os.path.basename(notebook.SEED_NOTEBOOK)) as f:
        nb = json.load(f)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    injected = [c for c in code if "injected-parameters" in c["metadata"].get("tags", [])]
    assert ["".join(c["source"]) for c in injected] == ["# Parameters\nn_epochs = 2\n"]
    assert code.index(injected[0]) == 3  # right after In [12], the parameters cell
    printed = "".join("".join(o.get("text", "")) for c in code for o in c["outputs"])
    assert epoch_lines(printed) == epoch_lines(proc.stdout)


def test_a_failing_cell_is_one_line_naming_it(tmp_path):
    nb = committed()
    broken = [c for c in nb["cells"] if c.get("execution_count") == 12][0]
    broken["source"] = ["n_epochs = 20\n", "batch_size = 1 / 0"]
    path = tmp_path / "broken.ipynb"
    path.write_text(notebook.dumps(nb))
    proc = run_notebook("--notebook", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 1  # the cell's traceback on stderr, then one line naming it
    assert "ZeroDivisionError" in proc.stderr.strip().splitlines()[-2]
    assert proc.stderr.strip().splitlines()[-1:] == [
        "tf1repro: error: the notebook's cell In [12] failed: ZeroDivisionError: division by zero; "
        f"the executed notebook, with the traceback, is {tmp_path / 'out' / 'broken.ipynb'}"]
    assert "ZeroDivisionError" in (tmp_path / "out" / "broken.ipynb").read_text()


@pytest.mark.slow
def test_the_whole_notebook_as_written(tmp_path):
    proc = run_notebook("--out", str(tmp_path), timeout=1200)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = epoch_lines(proc.stdout)
    assert [e for e, _, _ in lines] == list(range(20))
    for (epoch, _, valid), (_, _, recorded) in zip(lines, epoch_lines(recorded_output("21"))):
        assert abs(valid - recorded) <= (0.015 if epoch == 0 else 0.01), (epoch, valid)
    assert lines[-1][2] >= 0.975
    assert not kernel_alive(proc.stdout)
