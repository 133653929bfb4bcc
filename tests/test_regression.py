"""The recorded notebook log, reproduced: full 20-epoch runs on the real MNIST.

Each run goes through the command line, as a user's ``./run.sh`` does.  The
notebook set no seed, so its numbers are one draw: every epoch's validation
accuracy must lie within 0.01 of the recorded one (0.015 for epoch 0, where
runs differ most).  Seed 1 was the first seed tried, not a chosen one.
"""

import os
import re
import subprocess
import sys

import pytest

from tf1repro.data.provision import default_data_dir, ensure_mnist

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = "1"

# In [21]'s recorded validation accuracies, epochs 0-18 (epoch 19 was cut off).
NOTEBOOK_VALIDATION = [0.9448, 0.9612, 0.9676, 0.9736, 0.9728, 0.9748, 0.9752, 0.9758,
                       0.9768, 0.9754, 0.9768, 0.9786, 0.9784, 0.9776, 0.9798, 0.9796,
                       0.9776, 0.9812, 0.9786]
EPOCH_LINE = re.compile(r"^(\d+) Batch accuracy: (\S+) Validation accuracy: (\S+)$")
NOTEBOOK_NUMBER = re.compile(r"^(0\.\d{1,4}|1\.0)$")  # 5000 and 200 examples: at most 4 digits


def cli(*args):
    r = subprocess.run([sys.executable, "-m", "tf1repro", *args], cwd=ROOT,
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr
    return r


def notebook_lines(stdout):
    """The lines In [21] printed: everything but our '# ' header and footer."""
    return [line for line in stdout.splitlines() if not line.startswith("# ")]


@pytest.fixture(scope="module")
def data_dir():
    path = default_data_dir()
    ensure_mnist(path, log=lambda line: None)
    return path


@pytest.fixture(scope="module")
def runs(tmp_path_factory, data_dir):
    """Two default runs with one seed, and one run of In [21]'s loop as written."""
    out = {}
    for name, extra in [("first", []), ("second", []), ("feed_dict", ["--loop", "feed_dict"])]:
        ckpt = str(tmp_path_factory.mktemp(name) / "my_model_final.ckpt")
        r = cli("train", "--seed", SEED, "--data-dir", data_dir, "--checkpoint", ckpt, *extra)
        out[name] = (notebook_lines(r.stdout), ckpt, r.stderr)
    return out


def check_against_notebook(lines):
    epochs = [EPOCH_LINE.match(line) for line in lines[:20]]
    assert all(epochs), lines[:20]
    assert [int(m.group(1)) for m in epochs] == list(range(20))
    for m in epochs:
        assert NOTEBOOK_NUMBER.match(m.group(2)) and NOTEBOOK_NUMBER.match(m.group(3)), m.group(0)
    validation = [float(m.group(3)) for m in epochs]
    for epoch, (ours, recorded) in enumerate(zip(validation, NOTEBOOK_VALIDATION)):
        tolerance = 0.015 if epoch == 0 else 0.01
        assert abs(ours - recorded) <= tolerance, (epoch, ours, recorded)
    assert validation[19] >= 0.975
    assert lines[20] == ""
    test = re.fullmatch(r"Test accuracy: (\S+)", lines[21])
    assert test and float(test.group(1)) >= 0.975
    assert len(lines) == 22
    return test.group(1)


def test_default_run_matches_the_recorded_log(runs):
    lines, _, stderr = runs["first"]
    check_against_notebook(lines)
    assert stderr == ""  # no TensorFlow chatter around the log


def test_same_seed_gives_an_identical_log(runs):
    assert runs["first"][0] == runs["second"][0]


def test_feed_dict_loop_matches_the_recorded_log(runs):
    check_against_notebook(runs["feed_dict"][0])


def test_both_loops_print_the_same_log(runs):
    # The in-graph loop runs the same steps in the same order with the same
    # arithmetic; on one machine the logs agree to the last printed digit.
    assert runs["first"][0] == runs["feed_dict"][0]


def test_eval_reproduces_the_final_test_accuracy(runs, data_dir):
    lines, ckpt, _ = runs["first"]
    r = cli("eval", "--checkpoint", ckpt, "--data-dir", data_dir)
    assert r.stdout.splitlines()[-1] == lines[21]
    validation_19 = EPOCH_LINE.match(lines[19]).group(3)
    assert f"Validation accuracy: {validation_19}" in r.stdout.splitlines()
