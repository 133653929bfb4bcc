"""``run``: TF 1.x programs as written (no import edits), through ``python -m tf1repro run``.

The programs are fixtures in ``tests/programs/``, written fresh in the era's
style: a script with argparse flags and a helper module beside it, a
notebook with a magic, a parameter and a failing cell.  ``libs/`` stands for
an installed library: it must keep the real TensorFlow.  Kernels listen on
local sockets only (IPC files, no network address) and are checked stopped
by their own pid.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

import pytest

from procs import alive
from seed import ROOT
from tf1repro import notebook

PROGRAMS = os.path.join(ROOT, "tests", "programs")
SCRIPT = os.path.join(PROGRAMS, "era_script.py")
NOTEBOOK = os.path.join(PROGRAMS, "era_notebook.ipynb")


def run(*args, cwd=None, timeout=300, env=None):
    """``python -m tf1repro run ARGS`` with the library folder on sys.path, as an install would be."""
    env = {**os.environ, **(env or {}),
           "PYTHONPATH": os.pathsep.join([ROOT, os.path.join(PROGRAMS, "libs")]),
           "JUPYTER_DATA_DIR": os.path.join(tempfile.gettempdir(), "tf1repro-test-jupyter")}
    env.pop("TF1REPRO_TF1_RELEASE", None)
    return subprocess.run([sys.executable, "-m", "tf1repro", "run", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


def printed(stdout, key):
    return re.search(rf"^{re.escape(key)}: (.*)$", stdout, re.M).group(1)


# --- a script -------------------------------------------------------------------

@pytest.fixture(scope="module")
def script_run(tmp_path_factory):
    report = tmp_path_factory.mktemp("script") / "report.json"
    with open(SCRIPT, "rb") as f:
        before = f.read()
    proc = run("--report", str(report), SCRIPT, "--units", "5", "--ask-missing", "2",
               "--exit-code", "3", cwd=tempfile.gettempdir())
    with open(SCRIPT, "rb") as f:
        assert f.read() == before
    return proc, json.loads(report.read_text())


def test_a_script_runs_unchanged_with_its_flags_and_status(script_run):
    proc, _ = script_run
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert printed(proc.stdout, "units") == "5"  # argparse saw the program's flags
    assert printed(proc.stdout, "steps") == "3 loss finite: True"
    assert printed(proc.stdout, "np.int is int") == "True np.infty: inf"
    assert "np.int, np.float" in proc.stdout  # the header says NumPy's names are back
    assert not os.path.exists(os.path.join(PROGRAMS, "__pycache__", "era_helpers.cpython-311.pyc"))


def test_the_rule_reaches_the_program_and_its_folder_but_not_libraries(script_run):
    proc, _ = script_run
    assert printed(proc.stdout, "tf") == "tf1repro.tf1"
    assert printed(proc.stdout, "helper's tf") == "tf1repro.tf1"  # a module beside it
    assert printed(proc.stdout, "library's tf") == "tensorflow"   # a library elsewhere
    assert printed(proc.stdout, "tf.keras Dense").startswith("keras.")  # the real Keras
    assert printed(proc.stdout, "tf.keras.datasets").startswith("keras.")


def test_the_summary_and_report_count_the_missing_names(script_run):
    proc, report = script_run
    assert "# TF 1.x names the program asked for that tf1repro.tf1 does not provide: " \
           "tf.contrib.slim (2)" in proc.stdout
    assert "exited with status 3" in proc.stdout
    assert report["kind"] == "script" and report["status"] == 3
    assert report["missing"] == {"tf.contrib.slim": 2}


def test_a_users_error_shows_the_users_traceback(tmp_path):
    proc = run("-q", SCRIPT, "--fail", "--steps", "1")
    assert proc.returncode == 1
    with open(SCRIPT) as f:
        line = next(n for n, text in enumerate(f, 1) if 'raise ValueError("failed on purpose")' in text)
    assert proc.stderr.splitlines()[:4] == [
        "Traceback (most recent call last):",
        f'  File "{SCRIPT}", line {line}, in <module>',
        '    raise ValueError("failed on purpose")',
        "ValueError: failed on purpose"]
    assert not proc.stdout.startswith("#")  # -q: the program's output only


def test_p_sets_a_scripts_variable_after_its_first_assignment(tmp_path):
    program = tmp_path / "p.py"
    program.write_text("import tensorflow as tf\nn_epochs = 20\nprint('epochs', n_epochs, tf.__name__)\n")
    proc = run("-p", "n_epochs", "2", str(program))
    assert proc.returncode == 0, proc.stderr
    assert "epochs 2 tf1repro.tf1" in proc.stdout
    assert "# parameters: n_epochs = 2 after line 2" in proc.stdout


@pytest.mark.parametrize("name, content, message", [
    ("missing.py", None, "missing.py: no such file"),
    ("notes.txt", "hello", "notes.txt: cannot run a '.txt' file; give a .py script or a .ipynb notebook"),
    ("broken.ipynb", "{not json", "broken.ipynb: not a notebook (not valid JSON: "),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    proc = run(str(path))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert proc.stderr.startswith(f"tf1repro: error: {tmp_path}/{message}")


# --- a notebook -----------------------------------------------------------------

@pytest.fixture(scope="module")
def notebook_run(tmp_path_factory):
    pytest.importorskip("nbclient", reason="the notebook extra: pip install -e .[notebook]")
    out = tmp_path_factory.mktemp("nb")
    with open(NOTEBOOK, "rb") as f:
        before = f.read()
    proc = run("--keep-going", "-p", "n_epochs", "1", "--numpy-print", "1.13", "--out", str(out),
               "--report", str(out / "report.json"), NOTEBOOK)
    with open(NOTEBOOK, "rb") as f:
        assert f.read() == before  # the original is never written
    return out, proc, json.loads((out / "report.json").read_text())


def test_a_notebook_runs_cell_by_cell_past_its_failure(notebook_run):
    out, proc, _ = notebook_run
    assert proc.returncode == 1  # a cell failed
    assert "epoch 0\n" in proc.stdout and "epoch 1\n" not in proc.stdout  # -p n_epochs 1
    assert "value: 0.792602\n" in proc.stdout  # --numpy-print 1.13
    # After the failing cell: %matplotlib inline worked, the era's NumPy, the rule in the
    # notebook folder's module, the real Keras.
    assert "after the failure: True tf1repro.tf1 keras\n" in proc.stdout
    assert "Unsupported: tf.contrib.slim is not supported" in proc.stderr  # its traceback


def test_the_notebooks_summary_and_report(notebook_run):
    out, proc, report = notebook_run
    assert re.search(r"^# summary: 7 cells run, 1 failed, 0 skipped in [\d.]+ s \(kernel pid \d+, "
                     rf"stopped\); wrote {re.escape(str(out))}/era_notebook.ipynb$", proc.stdout, re.M)
    assert "#   failed: cell 5 `slim_layers = tf.contrib.slim.layers  # gone: tf1repro.tf..." \
           "`: Unsupported: tf.contrib.slim is not supported" in proc.stdout
    assert "# parameters: n_epochs = 1 after cell 2 (its first assignment)" in proc.stdout
    assert report["cells"] == {"run": 7, "failed": 1, "skipped": 0}
    assert [(f["cell"], f["error"].split(":")[0]) for f in report["failures"]] == [("cell 5", "Unsupported")]
    assert report["missing"] == {"tf.contrib.slim": 1}
    assert report["parameters"] == {"n_epochs": 1}
    assert not alive(report["kernel_pid"])


def test_the_executed_copy_marks_the_injected_cell(notebook_run):
    out, _, _ = notebook_run
    with open(out / "era_notebook.ipynb") as f:
        nb = json.load(f)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    injected = [i for i, c in enumerate(code) if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected == [2] and "".join(code[2]["source"]) == "# Parameters\nn_epochs = 1\n"
    assert any(o["output_type"] == "error" for o in code[5]["outputs"])
    assert any("image/png" in o.get("data", {}) for o in code[6]["outputs"])  # inline figure


def test_a_notebook_stops_at_its_first_failing_cell(tmp_path):
    pytest.importorskip("nbclient", reason="the notebook extra: pip install -e .[notebook]")
    proc = run("--out", str(tmp_path), "--report", str(tmp_path / "r.json"), NOTEBOOK)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(
        "tf1repro: error: the notebook's cell cell 5 failed: Unsupported: tf.contrib.slim")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["cells"] == {"run": 5, "failed": 1, "skipped": 1}
    assert "after the failure" not in proc.stdout
    assert not alive(report["kernel_pid"])


def test_the_seed_notebook_is_the_seed_byte_for_byte():
    """Its code cells are the seed's as written (``import tensorflow as tf``); test_notebook.py
    runs it through ``run`` (``./run.sh notebook`` is that command) and checks its log."""
    with open(notebook.SEED_NOTEBOOK) as f:
        assert f.read() == notebook.dumps(notebook.from_seed_text(
            open(os.path.join(ROOT, "notebooks", "seed_000_c5963ccd6037a953.txt")).read(),
            rewrite_imports=False))
    with open(notebook.SEED_NOTEBOOK) as f:
        nb = json.load(f)
    assert nb["metadata"]["tf1repro"] == {"tf1_release": "1.2"}
    assert any("import tensorflow as tf\n" in c["source"] for c in nb["cells"])


def test_tensorflow_internals_stay_real_but_the_rebuilt_modules_are_ours():
    """TF 1.x programs imported TensorFlow's internals too: those stay TensorFlow's, except
    the modules tf1repro rebuilds (the RNN cells), which are the package's."""
    from tf1repro.runner import import_rule
    source = ("from tensorflow.python.client import device_lib\n"
              "from tensorflow.python.ops import rnn, rnn_cell as cells\n"
              "from tensorflow.python.ops.rnn_cell import BasicLSTMCell\n"
              "import tensorflow.python.framework.ops\n"
              "import tensorflow as tf\n")
    namespace = {}
    exec(import_rule.compile_program(source, "<era>"), namespace)  # noqa: S102
    import tf1repro.tf1
    from tf1repro.runtime import rnn
    from tf1repro.tf1 import rnn_cell
    assert namespace["device_lib"].__name__ == "tensorflow.python.client.device_lib"
    assert namespace["rnn"] is rnn and namespace["cells"] is rnn_cell
    assert namespace["BasicLSTMCell"] is rnn_cell.BasicLSTMCell
    assert namespace["tf"] is tf1repro.tf1
    assert namespace["tensorflow"].__name__ == "tensorflow"  # Python's rule for `import a.b`
