"""Telling which release printed a run: the pin beside a program, and the rerun per candidate.

The pins are written here in each file kind's own syntax (pip's requirements,
setuptools' ``install_requires``, conda's ``environment.yml`` with its
single ``=`` and its pip section, pipenv's ``Pipfile``).  The candidate
comparison reruns a two-cell notebook whose recorded output is what TF 1.x
printed for ``tf.zeros([3]).op.type`` and ``tf.ones``: in 1.3.0's wheel
they return one Const; in 1.6.0's they build a Fill (python/ops/array_ops.py);
and a sum that only 1.3's graph rewrites leave as written (test_arithmetic.py).
"""

import json
import os
import subprocess
import sys

import nbformat
import pytest

from seed import ROOT
from tf1repro import cli
from tf1repro.runner import pins, recorded
from tf1repro.runtime import releases


def write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("name, text, version, op", [
    ("requirements.txt", "numpy==1.13.3\n# tensorflow==1.2.0\ntensorflow-gpu==1.8.0\n", "1.8.0", "=="),
    ("requirements-dev.txt", "pandas\ntensorflow>=1.6,<2.0\n", "1.6", ">="),
    ("setup.py", "setup(name='x', install_requires=['tensorflow-hub', 'tensorflow==1.7.1'])\n",
     "1.7.1", "=="),
    ("environment.yml", "dependencies:\n  - python=3.6\n  - tensorflow=1.3.0\n", "1.3.0", "=="),
    ("environment.yml", "dependencies:\n  - pip:\n    - tensorflow~=1.15.0\n", "1.15.0", "~="),
    ("Pipfile", '[packages]\nnumpy = "*"\ntensorflow = "==1.2.1"\n', "1.2.1", "=="),
    ("Pipfile", '[packages]\ntensorflow = {version = "==1.8.0", index = "pypi"}\n', "1.8.0", "=="),
])
def test_a_pin_is_read_from_each_file_kind(tmp_path, name, text, version, op):
    write(tmp_path, name, text)
    program = write(tmp_path, "lab.py", "import tensorflow as tf\n")
    pin = pins.find(str(program))
    assert (pin.version, pin.op, pin.where) == (version, op, name)


def test_the_pin_is_found_in_a_folder_above_but_not_past_the_repository(tmp_path):
    write(tmp_path, "requirements.txt", "tensorflow==1.2.1\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "ch1").mkdir()
    program = write(repo / "ch1", "nb.py", "")
    assert pins.find(str(program)) is None  # the repository's root is the last folder read
    write(repo, "requirements.txt", "tensorflow==1.3.0\n")
    assert pins.find(str(program)).where == os.path.join("..", "requirements.txt")


def test_tensorflow_2_and_other_packages_are_not_pins():
    assert pins.in_text("tensorflow-hub==0.1.1\ntensorflow_datasets==1.0\ntensorflow==2.1\n",
                        "requirements.txt") is None


def test_a_notebooks_metadata_comes_first():
    nb = nbformat.v4.new_notebook(metadata={"tf1repro": {"tf1_release": "1.3"}})
    assert pins.find("/nonexistent/nb.ipynb", nb).version == "1.3"
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "tensorflow-1.6",
                                                           "display_name": "TF"}})
    assert pins.find("/nonexistent/nb.ipynb", nb).version == "1.6"


def test_auto_chooses_the_pins_release_and_says_why():
    pin = pins.Pin("1.8.0", "==", "requirements.txt", "tensorflow==1.8.0")
    assert pins.choose(pin) == ("1.8", "tensorflow==1.8.0 in requirements.txt")
    release, why = pins.choose(pins.Pin("1.6", ">=", "setup.py", "tensorflow>=1.6"))
    assert release == "1.6" and "a bound" in why
    assert pins.choose(None)[0] == releases.DEFAULT


def test_an_unreproduced_pin_goes_to_the_nearest_release():
    # Whatever the table holds: the nearest by minor version, the lower on a tie.
    minors = sorted(int(name.split(".")[1]) for name in releases.RELEASES)
    for minor in range(0, 16):
        best = min(minors, key=lambda m: (abs(m - minor), m))
        assert pins.nearest(f"1.{minor}.0") == f"1.{best}"


def test_recorded_lines_count_once_each_and_ignore_ellipses():
    rec = {"": recorded.lines("0 1.73078\n...\n200 0.571512\n\n0 1.73078\n")}
    assert rec[""] == ["0 1.73078", "200 0.571512", "0 1.73078"]
    same, total, miss = recorded.identical(rec, {"": ["  0 1.73078", "200 0.571513"]})
    assert (same, total, miss) == (1, 3, ("", "200 0.571512"))


def which(*args, timeout=300):
    env = {**os.environ, "PYTHONPATH": ROOT}
    env.pop("TF1REPRO_TF1_RELEASE", None)
    return subprocess.run([sys.executable, "-m", "tf1repro", "which-release", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, env=env)


def test_the_release_that_printed_a_notebook_is_named_from_its_saved_outputs(tmp_path):
    nb = nbformat.v4.new_notebook(metadata={"tf1repro": {"tf1_release": "1.3"}})
    first = nbformat.v4.new_code_cell("import tensorflow as tf")
    second = nbformat.v4.new_code_cell("print(tf.zeros([3]).op.type)\nprint(tf.ones([3]).op.type)\n"
                                       "print('done')")
    second.outputs = [nbformat.v4.new_output("stream", name="stdout", text="Fill\nFill\ndone\n")]
    # log(1 + x) as written: 1.3 had no arithmetic optimizer (tests/test_arithmetic.py), so
    # it printed 0.0; under 1.6's rewrites TF 2.21 computes log1p(x), which 1.6 would not match.
    third = nbformat.v4.new_code_cell(
        "import numpy as np\nx = tf.Variable(np.float32(1e-8))\ny = tf.log(1. + x)\n"
        "with tf.Session() as s:\n    s.run(tf.global_variables_initializer())\n"
        "    print(repr(float(s.run(y))))")
    third.outputs = [nbformat.v4.new_output("stream", name="stdout", text="0.0\n")]
    nb.cells = [first, second, third]
    path = tmp_path / "zeros.ipynb"
    nbformat.write(nb, str(path))
    report = tmp_path / "which.json"
    proc = which(str(path), "--candidates", "1.3,1.6", "--tf1-arithmetic", "on",
                 "--report", str(report))
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = {r["release"]: r["identical"] for r in json.loads(report.read_text())["rows"]}
    assert rows == {"1.3": 2, "1.6": 3}  # 1.3 misses both Fills, 1.6 the sum as written
    assert "# best: 1.6 (3 of 4 recorded lines identical)" in proc.stdout
    assert "tf1repro.tf1_release: 1.3 in the notebook's metadata" in proc.stdout


@pytest.mark.parametrize("args, message", [
    (["lab.py"], "a script carries no recorded output; give the log it printed with --recorded LOG"),
    (["lab.py", "--recorded", "missing.log"], "missing.log: cannot read the recorded log"),
    (["lab.py", "--recorded", "lab.log", "--candidates", "1.99"], "TF 1.x release '1.99' is not reproduced"),
    (["lab.py", "--recorded", "lab.log", "--tf1-arithmetic", "maybe"], "--tf1-arithmetic 'maybe': give on"),
    (["lab.txt"], "lab.txt: give a .py script or a .ipynb notebook"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    write(tmp_path, "lab.py", "print(1)\n")
    write(tmp_path, "lab.log", "1\n")
    status = cli.main(["which-release", *[str(tmp_path / a) if a.startswith(("lab", "missing"))
                                          else a for a in args]])
    err = capsys.readouterr().err
    assert status == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1


def test_run_tf1_release_auto_takes_the_pin_and_says_why(tmp_path, monkeypatch):
    from tf1repro.runner import run_command
    monkeypatch.setenv(releases.ENV, "1.15")  # restored after the test; auto must not read it
    write(tmp_path, "requirements.txt", "tensorflow==1.3.0\n")
    program = write(tmp_path, "lab.py", "")
    release, source = run_command._release("auto", None, str(program))
    assert release == "1.3" and os.environ[releases.ENV] == "1.3"
    assert source == "--tf1-release auto: tensorflow==1.3.0 in requirements.txt"
    (tmp_path / "requirements.txt").unlink()
    release, source = run_command._release("auto", None, str(program))
    assert release == releases.DEFAULT and "no TensorFlow pin found" in source
