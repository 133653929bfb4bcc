"""``run --seeds N --grid NAME=V1,V2 PROGRAM``: a user's program over seeds and values on Ray.

The grid runs on a real Ray head on 127.0.0.1 with token authentication
(``test_ray``'s fixture, stopped by its process group).  The program is a tiny
NumPy script (no TensorFlow, so each run takes a second): what it prints is
recomputed here with NumPy from the seed rule, independently of the code under
test.  A stand-in ``tf.set_random_seed`` shows the offset the rule gives.
"""

import ast
import json
import os
import re
import signal
import subprocess
import sys

import numpy as np
import pytest
from procs import processes_holding
from test_ray import ROOT, head, wait_for  # noqa: F401  (head: the fixture)

from tf1repro.errors import UserError
from tf1repro.explore import series
from tf1repro.explore.commands import parse_grid
from tf1repro.runner import seeding

PROGRAM = '''\
import random
import time
import numpy as np

learning_rate = 0.1


class tf:  # stands for TensorFlow's seeding call: it prints the seed it is given
    @staticmethod
    def set_random_seed(seed):
        print("graph seed:", seed)


tf.set_random_seed(42)
np.random.seed(42)
if learning_rate > 1:
    raise ValueError("learning rate too large")
w = np.random.randn(3)
for step in range(4):
    w = w - learning_rate * 2 * w
    print(step, "loss:", float(np.sum(w ** 2)))
print("Accuracy:", random.random())
time.sleep(1.5)  # the driver is killed while runs are in flight

"""
0 loss: 2.0
1 loss: 1.5
2 loss: 1.0
3 loss: 0.3
Accuracy: 0.5
"""
'''
RECORDED_LOSS = 0.3  # the program's recorded output above, its last loss line


def expected(seed, learning_rate):
    """The program's lines for ``seed`` under the rule (np.random.seed(42 + seed)), by NumPy."""
    rng = np.random.RandomState(42 + seed)
    w = rng.randn(3)
    losses = []
    for _ in range(4):
        w = w - learning_rate * 2 * w
        losses.append(float(np.sum(w ** 2)))
    return losses


def run_grid(program, out, address, env):
    return subprocess.Popen(
        [sys.executable, "-m", "tf1repro", "run", "--seeds", "2", "--grid",
         "learning_rate=0.1,5", "--out", str(out), "--address", address, str(program)],
        cwd=ROOT, env=dict(os.environ, **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)


def test_grid_runs_records_fails_and_resumes_after_the_driver_is_killed(head, tmp_path):
    program = tmp_path / "prog" / "lab.py"
    program.parent.mkdir()
    program.write_text(PROGRAM)
    out = tmp_path / "grid"
    folders = [out / f"learning_rate={lr}" / f"seed-{s}" for lr in (0.1, 5) for s in (1, 2)]

    def finished_ok():
        done = []
        for folder in folders:
            try:
                if json.loads((folder / "record.json").read_text())["status"] == "ok":
                    done.append(folder)
            except (OSError, ValueError):
                pass
        return done

    first = run_grid(program, out, head["address"], head["env"])
    wait_for(lambda: finished_ok(), "a finished run", seconds=120, proc=first)
    os.killpg(first.pid, signal.SIGKILL)  # the driver, mid-grid
    first.communicate(timeout=30)
    kept = {f: (f / "output.log").stat().st_mtime_ns for f in finished_ok()}
    assert kept and len(kept) < 4
    logs = [str(f / "output.log") for f in folders]
    wait_for(lambda: not any(processes_holding(p) for p in logs), "the runs to stop", seconds=60)

    again = run_grid(program, out, head["address"], head["env"])
    stdout, stderr = again.communicate(timeout=180)
    assert again.returncode == 1, stdout + stderr  # a point failed; the grid went on
    assert f"# {len(kept)} of 4 runs finished already, not run again" in stdout
    assert {f: (f / "output.log").stat().st_mtime_ns for f in kept} == kept
    summary = json.loads((out / "grid.json").read_text())
    good, bad = summary["points"]
    assert summary["as_written"] == {"learning_rate": 0.1}  # the program's own `learning_rate = 0.1`
    assert "learning_rate=0.1 (as written)  loss" in stdout
    assert bad["values"] == {"learning_rate": 5} and bad["finished"] == [] and bad["failed"] == [1, 2]
    assert all(r["error"] == "exit status 1: ValueError: learning rate too large"
               for r in bad["runs"]), bad["runs"]
    assert f"# FAILED learning_rate=5 seed 1: exit status 1: ValueError: learning rate too large" \
        in stdout

    # The summary against the lines read here, and against NumPy's own numbers.
    finals = []
    for seed in (1, 2):
        text = (out / "learning_rate=0.1" / f"seed-{seed}" / "output.log").read_text()
        assert f"graph seed: {42 + seed}\n" in text  # tf.set_random_seed(42) ran with 42 + seed
        losses = [float(x) for x in re.findall(r"^\d+ loss: (\S+)$", text, re.M)]
        assert losses == expected(seed, 0.1)
        finals.append(losses[-1])
    final = good["series"]["loss"]["final"]
    assert final["per_seed"] == {"1": finals[0], "2": finals[1]}
    assert final["mean"] == pytest.approx(np.mean(finals), abs=1e-15)
    assert final["std"] == pytest.approx(np.std(finals, ddof=1), abs=1e-15)
    assert (final["min"], final["max"]) == (min(finals), max(finals))
    place = good["series"]["loss"]["recorded"]
    assert place["value"] == RECORDED_LOSS
    assert place["z"] == pytest.approx((RECORDED_LOSS - np.mean(finals)) / np.std(finals, ddof=1))
    assert place["rank"] == 1 + sum(f < RECORDED_LOSS for f in finals) and place["of"] == 3
    assert (out / "grid.png").stat().st_size > 0
    assert stderr == ""


def test_default_pattern_reads_the_eras_lines():
    # Lines as published: the seed notebook's In [21], hunkim/DeepLearningZeroToAll
    # lab-10-1-mnist_softmax.py's recorded output, its lab-09's `print(step, cost, W)`.
    text = ("0 Batch accuracy: 0.96 Validation accuracy: 0.9448\n"
            "1 Batch accuracy: 0.975 Validation accuracy: 0.9612\n"
            "Extracting MNIST_data/train-images-idx3-ubyte.gz\n"
            "Epoch: 0001 cost = 5.888845987\nEpoch: 0002 cost = 1.860620173\n"
            "Learning Finished!\nAccuracy: 0.9035\n"
            "200 0.6931472 [[ 0.1]\n [ 0.2]]\n")
    assert series.parse(text) == {
        "Batch accuracy": [(0, 0.96), (1, 0.975)],
        "Validation accuracy": [(0, 0.9448), (1, 0.9612)],
        "cost": [(1, 5.888845987), (2, 1.860620173)],
        "Accuracy": [(None, 0.9035)],
        "value": [(200, 0.6931472)]}
    own = series.compile_pattern(r"it (?P<step>\d+) loss=(?P<loss>\S+)")
    assert series.parse("it 3 loss=0.5\nx\nit 4 loss=2e-3\n", own) == {"loss": [(3, 0.5), (4, 0.002)]}
    with pytest.raises(UserError, match="name the numbers"):
        series.compile_pattern(r"loss (\S+)")


def test_seed_rule_offsets_the_programs_own_seeding_calls():
    source = ("tf.set_random_seed(42)\ntf.compat.v1.set_random_seed(seed)\nnp.random.seed()\n"
              "random.seed(a=7)\ntf.random.set_seed(None)\nrng.seed(1)\n")
    rule = seeding.SeedRule(3)
    tree = rule.visit(ast.parse(source))
    assert ast.unparse(tree).splitlines() == [
        "tf.set_random_seed(45)", "tf.compat.v1.set_random_seed(seed + 3)", "np.random.seed(3)",
        "random.seed(10)", "tf.random.set_seed(3)", "rng.seed(1)"]
    assert rule.count == 5


def test_grid_values_are_read_as_p_reads_them():
    assert parse_grid(["learning_rate=0.01,0.1", "opt=adam,sgd"], []) == {
        "learning_rate": [0.01, 0.1], "opt": ["adam", "sgd"]}
    with pytest.raises(UserError, match="given twice"):
        parse_grid(["n=1,2"], [["n", "3"]])
    with pytest.raises(UserError, match="NAME=V1,V2"):
        parse_grid(["n"], [])
