"""plot, compare, sweep, ablation, train --plot / --logdir / --no-batch-norm.

Commands run as a user runs them (``python -m tf1repro ...``) on small
configurations: few epochs of batch 1000, two seeds.  What they write is
read back: PNG signature and size, JSON fields and lengths, TensorBoard
event files.  The statistical check (3 seeds x 20 epochs) is marked slow.
"""

import json
import math
import os
import signal
import struct
import subprocess
import sys
import time

import pytest
from procs import processes_holding, processes_mentioning

from tf1repro import cli
from tf1repro.explore import drawing, records, sweeps
from tf1repro.errors import UserError
from tf1repro.data.provision import default_data_dir, ensure_mnist

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = ["--epochs", "2", "--batch-size", "1000"]


def run_cli(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "tf1repro", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def main_lines(*args):
    lines = []
    code = cli.main(list(args), log=lines.append)
    return code, lines


@pytest.fixture(scope="module")
def mnist():
    ensure_mnist(default_data_dir(), log=lambda line: None)


try:
    import matplotlib  # noqa: F401  (the plot extra; ./run.sh installs it)
    HAVE_MATPLOTLIB = True
except ImportError:
    HAVE_MATPLOTLIB = False
needs_matplotlib = pytest.mark.skipif(not HAVE_MATPLOTLIB,
                                      reason="matplotlib missing: pip install -e .[plot]")


def check_picture(path, stdout):
    """A PNG where matplotlib is installed; else the command said how to get it."""
    if HAVE_MATPLOTLIB:
        check_png(path)
    else:
        assert not os.path.exists(path) and "pip install -e .[plot]" in stdout


def check_png(path, width=800, height=500):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    assert data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (width, height)
    assert 10_000 < len(data) < 200_000, len(data)


def fake_record(path, curve, seed=7, test=0.978, **config):
    """A metrics.json as train writes it, with a chosen validation curve."""
    os.makedirs(path, exist_ok=True)
    record = {"config": dict({"batch_norm": True, "learning_rate": 0.1, "batch_size": 200},
                             **config),
              "seed": seed, "epochs": [
                  {"epoch": i, "batch_accuracy": 1.0, "validation_accuracy": v,
                   "mean_loss": 0.05, "seconds": 1.0} for i, v in enumerate(curve)],
              "test_accuracy": test}
    with open(os.path.join(path, "metrics.json"), "w") as f:
        json.dump(record, f)
    return str(path)


def fake_sweep(path, low, high):
    summary = {"finished": [1, 2, 3], "validation_accuracy": {
        "mean": [(a + b) / 2 for a, b in zip(low, high)], "std": [0.001] * len(low),
        "min": low, "max": high}}
    with open(path, "w") as f:
        json.dump(summary, f)
    return str(path)


# --- plot and compare: no training needed ---------------------------------------

@needs_matplotlib
def test_plot_draws_runs_over_the_notebook(tmp_path):
    a = fake_record(tmp_path / "a", records.NOTEBOOK_VALIDATION + [0.98])
    b = fake_record(tmp_path / "b", [v - 0.002 for v in records.NOTEBOOK_VALIDATION], seed=8)
    out = tmp_path / "pics" / "curves.png"
    code, lines = main_lines("plot", a, os.path.join(b, "metrics.json"), "-o", str(out))
    assert code == 0
    assert lines == [f"# wrote {out}"]
    check_png(out)


def test_plot_of_a_missing_run_is_a_one_line_error(tmp_path, capsys):
    code, _ = main_lines("plot", str(tmp_path / "nothing"), "-o", str(tmp_path / "c.png"))
    assert code == 2
    err = capsys.readouterr().err
    assert "no run record" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.png").exists()


def test_without_matplotlib_the_commands_say_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    run = fake_record(tmp_path / "a", [0.95, 0.96])
    code, _ = main_lines("plot", run, "-o", str(tmp_path / "c.png"))
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err == f"tf1repro: error: {drawing.PLOT_HINT}"
    assert "pip install -e .[plot]" in err
    with pytest.raises(SystemExit) as e:  # train --plot refuses before training
        cli.build_parser().parse_args(["train", "--plot"])
    assert e.value.code == 2
    assert "pip install -e .[plot]" in capsys.readouterr().err


def test_compare_prints_run_notebook_and_difference(tmp_path):
    curve = [v + 0.001 for v in records.NOTEBOOK_VALIDATION] + [0.98]
    code, lines = main_lines("compare", fake_record(tmp_path / "a", curve))
    assert code == 0
    assert lines[1].split() == ["epoch", "run", "notebook", "difference"]
    assert lines[2].split() == ["0", "0.9458", "0.9448", "+0.0010"]
    assert lines[21].split() == ["19", "0.9800", "-", "-"]  # the notebook's epoch 19 was cut off
    assert "--sweep" in lines[-1]


def test_compare_flags_a_difference_outside_the_seed_spread(tmp_path):
    nb = records.NOTEBOOK_VALIDATION
    curve = list(nb)
    curve[3] = nb[3] - 0.02  # far off at epoch 3
    curve[5] = nb[5] + 0.003  # as far as two seeds ever are: inside
    sweep = fake_sweep(tmp_path / "sweep.json", [v - 0.002 for v in nb], [v + 0.001 for v in nb])
    code, lines = main_lines("compare", fake_record(tmp_path / "a", curve), "--sweep", sweep)
    assert code == 0
    rows = {int(line.split()[0]): line for line in lines[2:-1]}
    assert rows[3].endswith("NO, outside") and "-0.0200" in rows[3] and "±0.0030" in rows[3]
    assert rows[5].endswith("yes") and "+0.0030" in rows[5]
    assert all(rows[e].endswith("yes") for e in rows if e != 3)
    assert lines[-1].startswith("# 18 of 19 differences lie within the seed-to-seed spread")


def test_compare_refuses_a_file_that_is_not_a_sweep(tmp_path, capsys):
    run = fake_record(tmp_path / "a", [0.95])
    code, _ = main_lines("compare", run, "--sweep", os.path.join(run, "metrics.json"))
    assert code == 2
    assert "not a sweep.json" in capsys.readouterr().err


def test_statistics_of_a_band():
    b = records.band([[0.9, 0.95], [0.92, 0.97], [0.94, 0.96]])
    assert b["mean"] == pytest.approx([0.92, 0.96])
    assert b["std"] == pytest.approx([0.02, 0.01])  # sample std, ddof=1
    assert b["min"] == [0.9, 0.95] and b["max"] == [0.94, 0.97]
    assert records.band([[0.5, 0.6]])["std"] == [0.0, 0.0]


def test_divergence_is_a_non_finite_loss_or_chance_accuracy():
    def record(loss, acc):
        return {"epochs": [{"mean_loss": loss, "validation_accuracy": acc}]}
    assert records.diverged(record(float("nan"), 0.9))
    assert records.diverged(record(float("inf"), 0.9))
    assert records.diverged(record(2.3, 0.0986))
    assert not records.diverged(record(0.1, 0.95))


# --- train --plot, --logdir, --no-batch-norm ----------------------------------------

def read_events(logdir):
    from tf1repro.tfcompat import v1
    files = [os.path.join(logdir, f) for f in os.listdir(logdir) if "tfevents" in f]
    assert len(files) == 1, files
    graph_defs, scalars = [], {}
    for event in v1.train.summary_iterator(files[0]):
        if event.graph_def:
            graph_defs.append(event.graph_def)
        for value in event.summary.value:
            scalars.setdefault(value.tag, []).append((event.step, value.simple_value))
    return graph_defs, scalars


@needs_matplotlib
def test_train_plot_and_logdir(tmp_path, mnist):
    from tf1repro.tfcompat import tf
    ckpt = tmp_path / "run" / "my_model_final.ckpt"
    logdir = tmp_path / "tb"
    r = run_cli("train", "--seed", "3", *SMALL, "--checkpoint", str(ckpt),
                "--logdir", str(logdir), "--plot")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == f"# curves: {tmp_path / 'run' / 'curves.png'}"
    check_png(tmp_path / "run" / "curves.png")

    record = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert record["seed"] == 3 and record["config"]["epochs"] == 2
    assert set(record["versions"]) >= {"tensorflow", "numpy"}
    assert [e["epoch"] for e in record["epochs"]] == [0, 1]
    for e in record["epochs"]:
        assert set(e) >= {"batch_accuracy", "validation_accuracy", "mean_loss", "seconds"}
    assert 0.8 < record["test_accuracy"] <= 1

    graph_defs, scalars = read_events(str(logdir))
    assert len(graph_defs) == 1
    graph_def = tf.compat.v1.GraphDef.FromString(graph_defs[0])
    names = {node.name for node in graph_def.node}
    assert {"X", "y", "training", "loss/mse", "hidden1/kernel",
            "batch_normalization/moving_mean"} <= names
    assert sorted(scalars) == ["batch_accuracy", "mean_loss", "validation_accuracy"]
    for tag, points in scalars.items():
        assert [step for step, _ in points] == [0, 1], tag
        want = [e[tag] for e in record["epochs"]]
        assert [v for _, v in points] == pytest.approx(want, rel=1e-6), tag


def test_no_batch_norm_builds_in11_without_its_batch_norm_layers():
    from tf1repro.cells import graph
    from tf1repro.cells.config import Config
    from tf1repro.tfcompat import v1
    model = graph.build(Config(batch_norm=False))
    graph.add_in_graph_training(model, 1000)
    with model.graph.as_default():
        variables = [v.name for v in v1.global_variables()]
        trainable = v1.trainable_variables()
        update_ops = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
    assert [v.name for v in trainable] == [
        "hidden1/kernel:0", "hidden1/bias:0", "hidden2/kernel:0", "hidden2/bias:0",
        "outputs/kernel:0", "outputs/bias:0"]
    assert sum(math.prod(v.shape.as_list()) for v in trainable) == 266_610
    assert not any("batch_normalization" in name for name in variables)
    assert model.extra_update_ops == [] and update_ops == []
    ops = {op.name for op in model.graph.get_operations()}
    assert not any("batch_normalization" in name or "moving_" in name for name in ops)
    # He init (In [11]'s my_dense_layer) and ELU stay.
    assert any(op.type == "Elu" for op in model.graph.get_operations())
    assert any(op.type == "TruncatedNormal" for op in model.graph.get_operations())


# --- sweep ---------------------------------------------------------------------------

def test_sweep_writes_band_and_picture_and_reports_a_failed_seed(tmp_path, mnist):
    out = tmp_path / "sweep"
    # A folder where train cannot write its record: seed 2 fails at the end.
    (out / "seed-2" / "metrics.json").mkdir(parents=True)
    r = run_cli("sweep", "--seeds", "2", "--jobs", "2", *SMALL, "--out", str(out))
    assert r.returncode == 1, r.stdout + r.stderr
    # The writer's one line, as train prints it (a write the file system refused: exit 4).
    assert (f"# {out / 'seed-2'}: FAILED (exit code 4): tf1repro: error: is a directory while "
            f"writing {out / 'seed-2' / 'metrics.json'}; kept the checkpoint of epochs 0-1") \
        in r.stdout
    assert "# 1 of 2 seeds finished; FAILED: [2]" in r.stdout
    summary = json.loads((out / "sweep.json").read_text())
    assert summary["seeds"] == [1, 2] and summary["finished"] == [1] and summary["failed"] == [2]
    assert summary["train_flags"] == ["--batch-size", "1000"]
    for key in ("mean", "std", "min", "max"):
        assert len(summary["validation_accuracy"][key]) == 2
    assert list(summary["test_accuracy"]["per_seed"]) == ["1"]
    assert [run["status"] for run in summary["runs"]] == ["ok", "failed"]
    assert summary["runs"][1]["error"]
    assert [p["epoch"] for p in summary["notebook"]["positions"]] == [0, 1]
    check_picture(out / "sweep.png", r.stdout)
    seed1 = json.loads((out / "seed-1" / "metrics.json").read_text())
    assert summary["validation_accuracy"]["mean"] == [e["validation_accuracy"]
                                                      for e in seed1["epochs"]]


def test_sweep_interrupted_then_resumed_does_not_retrain(tmp_path, mnist):
    out = tmp_path / "sweep"
    args = [sys.executable, "-m", "tf1repro", "sweep", "--seeds", "2", "--jobs", "1", *SMALL,
            "--out", str(out)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    metrics1 = out / "seed-1" / "metrics.json"
    deadline = time.monotonic() + 120
    while not (metrics1.exists() and (out / "seed-2" / "command.json").exists()):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stdout + stderr
    assert "tf1repro: interrupted" in stderr
    assert processes_mentioning(str(out)) == []
    assert processes_holding(str(out / "seed-2" / "train.lock")) == []  # seed 2's training stopped too
    assert not (out / "seed-2" / "metrics.json").exists()
    mtime = metrics1.stat().st_mtime_ns

    r = run_cli(*args[3:])
    assert r.returncode == 0, r.stderr
    assert f"# {out / 'seed-1'}: trained already (ok), not trained again" in r.stdout
    assert "# training 1 of 2 runs" in r.stdout
    assert metrics1.stat().st_mtime_ns == mtime
    summary = json.loads((out / "sweep.json").read_text())
    assert summary["finished"] == [1, 2]


def test_sweep_refuses_a_folder_trained_with_other_flags(tmp_path):
    out = tmp_path / "sweep"
    (out / "seed-1").mkdir(parents=True)
    (out / "seed-1" / "command.json").write_text(json.dumps({"argv": ["--seed", "1"]}))
    lines = []
    with pytest.raises(UserError) as e:
        sweeps.still_to_train(sweeps.seed_runs(str(out), [1], 2, []), lines.append)
    assert "other flags" in str(e.value) and "--out" in str(e.value)


# --- ablation ------------------------------------------------------------------------

def test_ablation_table_json_and_picture(tmp_path, mnist):
    out = tmp_path / "ablation"
    # 2 seeds x (with, without batch norm) x one learning rate so large that
    # the network without batch norm diverges.
    r = run_cli("ablation", "--seeds", "2", "--learning-rates", "50", "--epochs", "1",
                "--batch-size", "1000", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    result = json.loads((out / "ablation.json").read_text())
    assert [(c["batch_norm"], c["learning_rate"]) for c in result["cells"]] == [
        (True, 50.0), (False, 50.0)]
    with_bn, without = result["cells"]
    assert len(with_bn["runs"]) == len(without["runs"]) == 2
    assert without["diverged"] == [1, 2] and without["finished"] == []
    assert without["final_validation_accuracy"]["mean"] is None
    lines = r.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("batch norm"))
    assert lines[header].split() == ["batch", "norm", "learning", "rate", "final", "validation",
                                     "test", "diverged", "failed"]
    assert lines[header + 2].split() == ["no", "50", "-", "-", "2", "of", "2", "0", "of", "2"]
    check_picture(out / "ablation.png", r.stdout)
    config = json.loads((out / "no-bn-lr50" / "seed-1" / "config.json").read_text())
    assert config["batch_norm"] is False and config["learning_rate"] == 50.0

    again = run_cli("ablation", "--seeds", "2", "--learning-rates", "50", "--epochs", "1",
                    "--batch-size", "1000", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("trained already") == 4 and "# training" not in again.stdout
    assert json.loads((out / "ablation.json").read_text())["cells"][1]["diverged"] == [1, 2]


# --- the statistical check --------------------------------------------------------------

@pytest.mark.slow
def test_notebook_lies_within_the_band_of_three_seeds(tmp_path, mnist):
    """Each recorded validation accuracy within [min - 0.01, max + 0.01] of 3 seeds x 20 epochs."""
    r = run_cli("sweep", "--seeds", "3", "--jobs", "2", "--out", str(tmp_path), timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    summary = json.loads((tmp_path / "sweep.json").read_text())
    assert summary["finished"] == [1, 2, 3]
    v = summary["validation_accuracy"]
    for epoch, recorded in enumerate(records.NOTEBOOK_VALIDATION):
        assert v["min"][epoch] - 0.01 <= recorded <= v["max"][epoch] + 0.01, (epoch, recorded)
    assert min(summary["test_accuracy"]["per_seed"].values()) >= 0.975
