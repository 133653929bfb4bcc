"""Never lose a run: kill and resume, signals, fail-fast checks, divergence, untrusted files.

The kill tests run the real command line on the real MNIST (seed 1, 4
epochs) and compare with the same run left alone: the lines it prints, the
log beside the checkpoint, the test accuracy and every saved tensor, bit for
bit.  Kill points are found by watching the process's output: its own log
lines, and the markers ``TF1REPRO_TEST_SAVE_DELAY`` (test-only) makes it
print at every phase of a save, pausing there so the kill lands inside.
Fail-fast cases assert the exit status, a one-line message without a
traceback, and that every file that existed before is byte-identical after.
"""

import ctypes
import gzip
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

from tf1repro.runs import stopping, train
from tf1repro import cli
from tf1repro.runs.checkpointing import TEST_SAVE_DELAY, RunDir
from tf1repro.cells.config import Config
from tf1repro.data.datasets import read_data_sets
from tf1repro.data.provision import default_data_dir, ensure_mnist
from tf1repro.tfcompat import tf

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED, EPOCHS = "1", "4"
DELAY = "0.3"  # seconds a killed process pauses at each phase of a save


# --- running the command line ---------------------------------------------------

class Run:
    """``python -m tf1repro ARGS`` in a subprocess, its output read line by line as it comes."""

    def __init__(self, *args, delay=None, env=None, **popen):
        full_env = dict(os.environ, **(env or {}))
        full_env.pop(TEST_SAVE_DELAY, None)
        if delay:
            full_env[TEST_SAVE_DELAY] = delay
        self.args = [str(a) for a in args]
        self.proc = subprocess.Popen([sys.executable, "-m", "tf1repro", *self.args], cwd=ROOT,
                                     env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     stdin=subprocess.DEVNULL, text=True, **popen)
        self.lines = {"out": [], "err": []}
        self._closed = set()
        self._cv = threading.Condition()
        self._threads = [threading.Thread(target=self._pump, args=(name, stream), daemon=True)
                         for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr))]
        for t in self._threads:
            t.start()

    def _pump(self, name, stream):
        for line in stream:
            with self._cv:
                self.lines[name].append(line.rstrip("\n"))
                self._cv.notify_all()
        with self._cv:
            self._closed.add(name)
            self._cv.notify_all()

    def wait_for(self, stream, pattern, timeout=180):
        """The first line of ``stream`` matching ``pattern``; fails if the process ends first."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cv:
            while True:
                for line in self.lines[stream]:
                    if rx.search(line):
                        return line
                left = deadline - time.monotonic()
                if stream in self._closed or left <= 0:
                    raise AssertionError(f"no line matching {pattern!r} on std{stream}; "
                                         f"stdout={self.lines['out']} stderr={self.lines['err']}")
                self._cv.wait(left)

    def signal(self, signum):
        self.proc.send_signal(signum)

    def finish(self, timeout=300):
        rc = self.proc.wait(timeout)
        for t in self._threads:
            t.join(10)
        return rc

    @property
    def out(self):
        return self.lines["out"]

    @property
    def err(self):
        """stderr without the test-only save markers."""
        return [ln for ln in self.lines["err"] if not ln.startswith("tf1repro-test: ")]


def run(*args, **kwargs):
    r = Run(*args, **kwargs)
    r.finish()
    return r


def notebook_lines(lines):
    """What In [21] printed: everything but our '# ' lines and messages."""
    return [ln for ln in lines if not ln.startswith(("# ", "tf1repro"))]


def run_log(folder):
    with open(os.path.join(folder, "run.log")) as f:
        return f.read().splitlines()


def tensors(checkpoint):
    reader = tf.train.load_checkpoint(checkpoint)
    return {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(checkpoint)}


def snapshot(*folders):
    """Every file under ``folders``, by path, with its bytes."""
    out = {}
    for folder in folders:
        for dirpath, _, files in os.walk(folder):
            for name in files:
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    out[path] = f.read()
    return out


def one_line_error(r, *words):
    assert "Traceback" not in "\n".join(r.err)
    assert len(r.err) == 1, r.err
    for w in words:
        assert w in r.err[0], (w, r.err[0])
    return r.err[0]


def assert_consistent(folder):
    """TensorFlow's pointer and our run state each name a complete, readable checkpoint."""
    pointer = tf.train.latest_checkpoint(folder)
    if os.path.exists(os.path.join(folder, "checkpoint")):
        assert pointer is not None
        assert len(tensors(pointer)) == 18  # every variable readable: nothing half-written
    state_path = os.path.join(folder, "run_state.json")
    if os.path.exists(state_path):
        with open(state_path) as f:
            state = json.load(f)
        if state["epochs_done"]:
            assert len(tensors(os.path.join(folder, state["checkpoint"]))) == 18
        return state
    return None


@pytest.fixture(scope="module")
def data_dir():
    path = default_data_dir()
    ensure_mnist(path, log=lambda line: None)
    return path


def uninterrupted(tmp_path_factory, data_dir, *extra):
    """The seeded 4-epoch run, left alone."""
    ckpt = str(tmp_path_factory.mktemp("reference") / "my_model_final.ckpt")
    r = run(*train_args(ckpt, data_dir, *extra))
    assert r.proc.returncode == 0, r.err
    lines = notebook_lines(r.out)
    assert len(lines) == 6 and lines[-1].startswith("Test accuracy: ")
    return {"lines": lines, "checkpoint": ckpt, "folder": os.path.dirname(ckpt),
            "tensors": tensors(ckpt)}


@pytest.fixture(scope="module")
def reference(tmp_path_factory, data_dir):
    """With the default loop (XLA)."""
    return uninterrupted(tmp_path_factory, data_dir)


@pytest.fixture(scope="module")
def reference_feed_dict(tmp_path_factory, data_dir):
    # XLA's arithmetic differs from TensorFlow's kernels in the last bits: a
    # run killed and resumed is compared with the same loop left alone.
    return uninterrupted(tmp_path_factory, data_dir, "--loop", "feed_dict")


def train_args(ckpt, data_dir, *extra):
    return ["train", "--seed", SEED, "--epochs", EPOCHS, "--data-dir", data_dir,
            "--checkpoint", ckpt, *extra]


def assert_same_as_reference(r, ckpt, reference):
    assert r.proc.returncode == 0, r.err
    folder = os.path.dirname(ckpt)
    assert notebook_lines(r.out) == reference["lines"]      # what the resumed run prints
    assert notebook_lines(run_log(folder)) == reference["lines"]  # the log of the whole run
    with open(os.path.join(folder, "metrics.json")) as f:
        metrics = json.load(f)
    with open(os.path.join(reference["folder"], "metrics.json")) as f:
        expected = json.load(f)
    assert metrics["test_accuracy"] == expected["test_accuracy"]
    strip = lambda epochs: [{k: v for k, v in e.items() if k != "seconds"} for e in epochs]
    assert strip(metrics["epochs"]) == strip(expected["epochs"])
    got = tensors(ckpt)
    assert sorted(got) == sorted(reference["tensors"])
    for name, value in reference["tensors"].items():
        np.testing.assert_array_equal(got[name], value, err_msg=name)
    state = assert_consistent(folder)
    assert state["finished"] and state["epochs_done"] == int(EPOCHS)


# --- kill and resume ----------------------------------------------------------------

# (where the kill lands, stream, line to wait for, then seconds to wait, epochs saved after it)
IN_GRAPH_KILLS = [
    ("early: start-up, before any epoch", "out", r"^# seed: ", 0, None),
    ("mid-epoch: inside epoch 1's Session.run", "err", r"^tf1repro-test: epoch 1 start$", 0.2, 1),
    ("inside the save after epoch 2: checkpoint files and TF's pointer written, run state not",
     "err", r"^tf1repro-test: save 3 checkpoint-written$", 0, 2),
    ("inside the save after epoch 3: new run state in its temporary file, not yet renamed",
     "err", r"^tf1repro-test: save 4 state-temp-written$", 0, 3),
    ("inside the final save: my_model_final.ckpt written, metrics and run state not",
     "err", r"^tf1repro-test: save final checkpoint-written$", 0, 4),
]
FEED_DICT_KILLS = [
    ("mid-epoch: between two feed_dict steps of epoch 1", "err", r"^tf1repro-test: epoch 1 start$",
     0.5, 1),
    ("inside the save after epoch 2, before TensorFlow writes anything", "err",
     r"^tf1repro-test: save 3 begin$", 0, 2),
]


def kill_and_resume(tmp_path, data_dir, kills, extra=(), last=()):
    """SIGKILL the run at each kill point in turn, resuming it after each; return the last run.

    ``last``: flags added to the last resume only.
    """
    ckpt = str(tmp_path / "run" / "my_model_final.ckpt")
    folder = os.path.dirname(ckpt)
    args = train_args(ckpt, data_dir, *extra)
    for i, (where, stream, pattern, wait, saved) in enumerate(kills):
        r = Run(*(args if i == 0 else args + ["--resume"]), delay=DELAY)
        r.wait_for(stream, pattern)
        time.sleep(wait)
        r.signal(signal.SIGKILL)
        assert r.finish() == -signal.SIGKILL, where
        if stream == "err":  # nothing moved on between the marker and the kill
            markers = [ln for ln in r.lines["err"] if ln.startswith("tf1repro-test: ")]
            assert re.search(pattern, markers[-1]), (where, markers)
        state = assert_consistent(folder)
        if saved is not None:
            assert state is not None and state["epochs_done"] == saved, (where, state)
            assert not state["finished"]
        if i > 0:
            assert any("# resume:" in line for line in r.out), r.out
    return run(*args, "--resume", *last)


@pytest.mark.slow
def test_kill_and_resume_in_graph(tmp_path, data_dir, reference):
    r = kill_and_resume(tmp_path, data_dir, IN_GRAPH_KILLS)
    assert any("has done all 4 epochs" in line for line in r.out), r.out
    assert_same_as_reference(r, str(tmp_path / "run" / "my_model_final.ckpt"), reference)
    leftovers = [n for n in os.listdir(tmp_path / "run") if n.endswith((".tmp", ".part"))
                 or "tempstate" in n]
    assert leftovers == []  # the killed writers' temporary files were cleared away


@pytest.mark.slow
def test_kill_and_resume_feed_dict(tmp_path, data_dir, reference_feed_dict):
    # In [21]'s loop as written; the last resume switches to the in-graph loop
    # without XLA, which computes the same bits.
    r = kill_and_resume(tmp_path, data_dir, FEED_DICT_KILLS, ["--loop", "feed_dict"],
                        last=["--loop", "in_graph"])
    assert "in_graph loop" in next(line for line in r.out if line.startswith("# seed:"))
    assert_same_as_reference(r, str(tmp_path / "run" / "my_model_final.ckpt"), reference_feed_dict)


def test_resume_after_early_kill_says_it_starts_over(tmp_path, data_dir):
    ckpt = str(tmp_path / "m.ckpt")
    r = run("train", "--resume", "--seed", SEED, "--epochs", "1", "--batch-size", "5000",
            "--data-dir", data_dir, "--checkpoint", ckpt)
    assert r.proc.returncode == 0, r.err
    assert f"# resume: nothing was saved in {tmp_path} yet; starting from the beginning" in r.out
    assert notebook_lines(r.out)[-1].startswith("Test accuracy: ")


# --- SIGINT and SIGTERM -----------------------------------------------------------------

RESUME_LINE = re.compile(r"^tf1repro: stopped by (SIG\w+) (.*); kept the checkpoint of epochs "
                         r"0-(\d+) of 4 \(epoch\.ckpt-(\d+)\); resume with: (\./run\.sh train .*)$")


def resume_from_message(line):
    m = RESUME_LINE.match(line)
    assert m, line
    command = shlex.split(m.group(5))
    assert command[:3] == ["./run.sh", "train", "--resume"]
    return m, command[1:]  # what follows ./run.sh, for python -m tf1repro


def test_sigint_stops_at_a_boundary_and_resumes(tmp_path, data_dir, reference):
    ckpt = str(tmp_path / "my_model_final.ckpt")
    r = Run(*train_args(ckpt, data_dir))
    r.wait_for("out", r"^0 Batch accuracy")
    # Meanwhile a second train into the same folder is refused by the lock
    # (test_lock_... shows it leaves every file as it was).
    second = run(*train_args(ckpt, data_dir))
    assert second.proc.returncode == 2
    one_line_error(second, "another 'train' is writing there")
    r.signal(signal.SIGINT)
    assert r.finish() == 130
    line = one_line_error(r, "stopped by SIGINT")
    m, command = resume_from_message(line)
    assert m.group(3) == str(int(m.group(4)) - 1)
    assert run_log(tmp_path)[-1] == "# " + line[len("tf1repro: "):]
    resumed = run(*command)  # the printed command, as it is: flags come from the saved run
    assert_same_as_reference(resumed, ckpt, reference)
    assert any(ln.startswith("# stopped by SIGINT") for ln in run_log(tmp_path))


def test_sigterm_stops_between_feed_dict_steps_and_resumes(tmp_path, data_dir, reference_feed_dict):
    ckpt = str(tmp_path / "my_model_final.ckpt")
    r = Run(*train_args(ckpt, data_dir, "--loop", "feed_dict"), delay="0.05")
    r.wait_for("err", r"^tf1repro-test: epoch 2 start$")
    time.sleep(0.3)
    r.signal(signal.SIGTERM)
    assert r.finish() == 143
    line = one_line_error(r, "stopped by SIGTERM in epoch 2 at step")
    m, command = resume_from_message(line)
    assert (m.group(3), m.group(4)) == ("1", "2")
    assert "(that epoch runs again)" in m.group(2)
    resumed = run(*command)
    assert_same_as_reference(resumed, ckpt, reference_feed_dict)


# --- TensorFlow's own save, killed at random moments -------------------------------------

SAVE_LOOP = """
import sys
from tf1repro.tfcompat import tf, v1
g = tf.Graph()
with g.as_default():
    w = v1.get_variable("w", [2000, 2000], initializer=v1.zeros_initializer())  # 16 MB
    value = v1.placeholder(tf.float32, [])
    assign = w.assign(tf.fill([2000, 2000], value))
    saver = v1.train.Saver(max_to_keep=2)
with v1.Session(graph=g) as sess:
    sess.run(v1.global_variables_initializer())
    for step in range(1, 100000):
        sess.run(assign, {value: float(step)})
        saver.save(sess, sys.argv[1], global_step=step, write_meta_graph=False)
        if step == 3:
            print("saving", flush=True)
"""


def test_tensorflow_save_never_points_at_a_partial_checkpoint(tmp_path):
    # The lead-in to our run state: TF writes data, then index, each by rename,
    # then its 'checkpoint' pointer by rename; killed anywhere, the pointer
    # names a checkpoint whose tensor is whole and from one save.
    rng = np.random.default_rng(0)
    for attempt in range(3):
        folder = tmp_path / f"k{attempt}"
        folder.mkdir()
        proc = subprocess.Popen([sys.executable, "-c", SAVE_LOOP, str(folder / "m.ckpt")],
                                cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "saving"
        time.sleep(float(rng.uniform(0, 0.4)))
        proc.kill()
        proc.wait()
        latest = tf.train.latest_checkpoint(str(folder))
        step = int(latest.rsplit("-", 1)[1])
        w = tf.train.load_checkpoint(latest).get_tensor("w")
        assert w.shape == (2000, 2000) and (w == step).all()


# --- fail fast, before any training -------------------------------------------------------

def test_checkpoint_folder_under_a_file(tmp_path):
    (tmp_path / "afile").write_text("not a folder\n")
    before = snapshot(str(tmp_path))
    r = run("train", "--checkpoint", tmp_path / "afile" / "run" / "m.ckpt")
    assert r.proc.returncode == 2
    one_line_error(r, "cannot write checkpoints there (Not a directory)")
    assert snapshot(str(tmp_path)) == before


def _drop_root_powers():
    # Root ignores permission bits through CAP_DAC_OVERRIDE and
    # CAP_DAC_READ_SEARCH; without them in the bounding set, the exec'd
    # process is bound by the bits like any user (it stays uid 0, so it can
    # still run the interpreter under /root).
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_checkpoint_folder_without_write_permission(tmp_path):
    folder = tmp_path / "readonly"
    folder.mkdir()
    (folder / "config.json").write_text('{"seed": 7}\n')
    (folder / "run.log").write_text("an earlier run\n")
    before = snapshot(str(tmp_path))
    popen = {}
    if os.geteuid() == 0:
        popen = {"preexec_fn": _drop_root_powers}
        try:
            subprocess.run(["true"], check=True, **popen)
        except (subprocess.SubprocessError, OSError) as e:
            pytest.skip(f"root here cannot give up CAP_DAC_OVERRIDE ({e})")
    folder.chmod(0o555)
    try:
        r = run("train", "--checkpoint", folder / "my_model_final.ckpt", **popen)
    finally:
        folder.chmod(0o755)
    assert r.proc.returncode == 2
    one_line_error(r, str(folder), "cannot write checkpoints there (Permission denied)")
    assert snapshot(str(tmp_path)) == before


@pytest.mark.parametrize("name, words", [
    ("", "is a folder"),
    ("run_state.json", "is a file train writes"),
    ("checkpoint", "is a file train writes"),
])
def test_checkpoint_path_must_be_a_checkpoint_name(tmp_path, name, words):
    before = snapshot(str(tmp_path))
    r = run("train", "--checkpoint", os.path.join(str(tmp_path), name))
    assert r.proc.returncode == 2
    one_line_error(r, words)
    assert snapshot(str(tmp_path)) == before


def _damage(content, how):
    raw = bytearray(gzip.decompress(content))
    if how == "one label changed":
        raw[8 + 100] = (raw[8 + 100] + 1) % 10
        return gzip.compress(bytes(raw), mtime=0)
    return content[:len(content) // 2]  # "truncated"


@pytest.mark.parametrize("how, words", [("one label changed", "MD5"),
                                        ("truncated", "corrupt or truncated gzip")])
def test_damaged_data_file(tmp_path, data_dir, reference, how, words):
    damaged = tmp_path / "data"
    shutil.copytree(data_dir, damaged)
    labels = damaged / "train-labels-idx1-ubyte.gz"
    labels.write_bytes(_damage(labels.read_bytes(), how))
    # Into a folder holding a finished run: nothing of it may change.
    run_folder = tmp_path / "run"
    shutil.copytree(reference["folder"], run_folder)
    before = snapshot(str(tmp_path))
    r = run(*train_args(str(run_folder / "my_model_final.ckpt"), str(damaged)))
    assert r.proc.returncode == 2
    one_line_error(r, str(labels), words)
    assert snapshot(str(tmp_path)) == before


HOLD_LOCK = """
import sys, time
from tf1repro.runs.checkpointing import RunDir
RunDir(sys.argv[1]).prepare()
print("locked", flush=True)
time.sleep(120)
"""


def test_lock_refuses_a_second_train_and_dies_with_its_holder(tmp_path, reference):
    run_folder = tmp_path / "run"
    shutil.copytree(reference["folder"], run_folder)
    ckpt = str(run_folder / "my_model_final.ckpt")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, ckpt], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = snapshot(str(tmp_path))
        r = run("train", "--checkpoint", ckpt)
        assert r.proc.returncode == 2
        one_line_error(r, str(run_folder), "another 'train' is writing there")
        r = run("train", "--resume", "--checkpoint", ckpt)
        assert r.proc.returncode == 2
        assert snapshot(str(tmp_path)) == before
    finally:
        holder.kill()  # SIGKILL: no chance to unlock; the kernel drops the flock
        holder.wait()
    RunDir(ckpt).prepare().release()


# --- resuming: runs saved in-process, refused resumes -----------------------------------

class StopBefore:
    """A ``stop`` for train_and_evaluate: SIGINT when asked before epoch ``n`` (in-graph loop)."""

    def __init__(self, n):
        self.calls, self.n = 0, n

    def __call__(self):
        self.calls += 1
        return signal.SIGINT if self.calls > self.n else None


@pytest.fixture(scope="module")
def saved_runs(tmp_path_factory, data_dir):
    """Small runs saved in-process: unfinished (2 of 4 epochs, batch 1000) and finished (1 epoch)."""
    root = tmp_path_factory.mktemp("saved")
    datasets = lambda: read_data_sets(data_dir, seed=1)
    out = {}
    for name, overrides in [("cell11", {}), ("cell7", {"variant": "cell7"}),
                            ("nobn", {"batch_norm": False})]:
        config = Config(epochs=4, batch_size=1000, seed=1, **overrides)
        ckpt = str(root / f"unfinished-{name}" / "my_model_final.ckpt")
        with pytest.raises(stopping.Interrupted):
            train.train_and_evaluate(config, data_dir, ckpt, log=lambda line: None,
                                     datasets=datasets(), loop="in_graph", stop=StopBefore(2))
        out[f"unfinished-{name}"] = ckpt
        config = Config(epochs=1, batch_size=5000, seed=1, **overrides)
        ckpt = str(root / f"finished-{name}" / "my_model_final.ckpt")
        train.train_and_evaluate(config, data_dir, ckpt, log=lambda line: None,
                                 datasets=datasets(), loop="in_graph")
        out[f"finished-{name}"] = ckpt
    return out


def copy_run(saved_runs, name, tmp_path):
    folder = tmp_path / name
    shutil.copytree(os.path.dirname(saved_runs[name]), folder)
    return str(folder / "my_model_final.ckpt")


def main_in_process(capsys, *argv):
    """``cli.main`` here (TensorFlow is loaded already): (exit code, stdout lines, stderr lines)."""
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert "Traceback" not in captured.err
    return code, captured.out.splitlines(), err


@pytest.mark.parametrize("flags, words", [
    (["--variant", "cell7"], "--variant cell11, not cell7"),
    (["--batch-size", "200"], "--batch-size 1000, not 200"),
    (["--learning-rate", "0.05"], "--learning-rate 0.1, not 0.05"),
    (["--no-batch-norm"], "trained with batch norm"),
    (["--seed", "2"], "--seed 1, not 2"),
    (["--epochs", "1"], "has done 2 epochs already"),
    (["--loop", "xla"], "--loop in_graph, not xla"),
])
def test_resume_with_contradicting_flags_is_refused(tmp_path, saved_runs, flags, words):
    ckpt = copy_run(saved_runs, "unfinished-cell11", tmp_path)
    before = snapshot(str(tmp_path))
    r = run("train", "--resume", "--checkpoint", ckpt, *flags)
    assert r.proc.returncode == 2
    one_line_error(r, "cannot resume the run in", words)
    assert snapshot(str(tmp_path)) == before


def test_resume_with_a_checkpoint_of_other_shapes_is_refused(tmp_path, saved_runs, capsys):
    ckpt = copy_run(saved_runs, "unfinished-cell11", tmp_path)
    folder = os.path.dirname(ckpt)
    other = os.path.dirname(saved_runs["unfinished-nobn"])
    for name in os.listdir(other):
        if name.startswith("epoch.ckpt-2."):
            shutil.copy(os.path.join(other, name), folder)
    before = snapshot(str(tmp_path))
    code, _, err = main_in_process(capsys, "train", "--resume", "--checkpoint", ckpt)
    assert code == 2 and len(err) == 1
    assert "epoch.ckpt-2 does not fit the cell11 graph (its run state): it lacks " \
           "batch_normalization/beta" in err[0]
    assert snapshot(str(tmp_path)) == before


def test_resume_with_a_damaged_checkpoint_is_refused(tmp_path, saved_runs, capsys, data_dir):
    ckpt = copy_run(saved_runs, "unfinished-cell11", tmp_path)
    data = os.path.join(os.path.dirname(ckpt), "epoch.ckpt-2.data-00000-of-00001")
    with open(data, "r+b") as f:
        f.truncate(1000)
    before = snapshot(str(tmp_path))
    code, _, err = main_in_process(capsys, "train", "--resume", "--checkpoint", ckpt,
                                   "--data-dir", data_dir)
    assert code == 2 and len(err) == 1
    assert "epoch.ckpt-2: cannot restore it" in err[0]
    assert snapshot(str(tmp_path)) == before


def test_unreadable_run_state_is_refused(tmp_path, saved_runs):
    ckpt = copy_run(saved_runs, "unfinished-cell11", tmp_path)
    with open(os.path.join(os.path.dirname(ckpt), "run_state.json"), "w") as f:
        f.write('{"format": 1, "epochs_do')
    before = snapshot(str(tmp_path))
    r = run("train", "--resume", "--checkpoint", ckpt)
    assert r.proc.returncode == 2
    one_line_error(r, "unreadable run state")
    assert snapshot(str(tmp_path)) == before


def test_resume_of_a_saved_run_continues_it(tmp_path, saved_runs, capsys, data_dir):
    # No flags but --resume: the saved run's own (batch 1000, 4 epochs) are used.
    ckpt = copy_run(saved_runs, "unfinished-cell11", tmp_path)
    code, out, _ = main_in_process(capsys, "train", "--resume", "--checkpoint", ckpt,
                                   "--data-dir", data_dir)
    assert code == 0
    assert any("continuing with epoch 2 of 4" in line for line in out)
    assert [line.split()[0] for line in notebook_lines(out)[:4]] == ["0", "1", "2", "3"]
    assert "batch 1000" in next(line for line in out if line.startswith("# seed:"))
    # The untouched run, trained again from scratch in one go, prints the same.
    fresh = str(tmp_path / "fresh" / "m.ckpt")
    code, fresh_out, _ = main_in_process(capsys, "train", "--seed", "1", "--epochs", "4",
                                         "--batch-size", "1000", "--loop", "in_graph",
                                         "--checkpoint", fresh, "--data-dir", data_dir)
    assert notebook_lines(out) == notebook_lines(fresh_out)


# --- eval: checkpoints of another variant or other shapes, damaged checkpoints ------------

def swap_final(tmp_path, saved_runs, into, from_):
    ckpt = copy_run(saved_runs, into, tmp_path)
    other = saved_runs[from_]
    for suffix in (".index", ".data-00000-of-00001", ".meta"):
        shutil.copy(other + suffix, ckpt + suffix)
    return ckpt


@pytest.mark.parametrize("from_, words", [
    ("finished-cell7", "was saved from the cell7 graph, but its config.json says cell11"),
    ("finished-nobn", "does not fit the cell11 graph (its config.json): it lacks "
                      "batch_normalization/beta"),
])
def test_eval_refuses_a_checkpoint_of_another_graph(tmp_path, saved_runs, from_, words):
    ckpt = swap_final(tmp_path, saved_runs, "finished-cell11", from_)
    before = snapshot(str(tmp_path))
    r = run("eval", "--checkpoint", ckpt)
    assert r.proc.returncode == 2
    one_line_error(r, words)
    assert snapshot(str(tmp_path)) == before


@pytest.mark.parametrize("damage, words", [
    ("truncate data", "cannot restore it"),
    ("garbage index", "cannot read the checkpoint"),
])
def test_eval_refuses_a_damaged_checkpoint(tmp_path, saved_runs, capsys, damage, words):
    ckpt = copy_run(saved_runs, "finished-cell11", tmp_path)
    if damage == "truncate data":
        with open(ckpt + ".data-00000-of-00001", "r+b") as f:
            f.truncate(100)
    else:
        with open(ckpt + ".index", "wb") as f:
            f.write(os.urandom(686))
    before = snapshot(str(tmp_path))
    code, _, err = main_in_process(capsys, "eval", "--checkpoint", ckpt)
    assert code == 2 and len(err) == 1 and words in err[0], err
    assert snapshot(str(tmp_path)) == before


def test_vars_of_an_epoch_checkpoint(saved_runs, capsys):
    # Epoch checkpoints have no .meta; the graph of their config.json tells trainables.
    folder = os.path.dirname(saved_runs["unfinished-cell11"])
    code, out, _ = main_in_process(capsys, "vars", "--checkpoint", os.path.join(folder, "epoch.ckpt-2"))
    assert code == 0 and "18 variables, 267,430 trainable parameters" in out[0]


def test_eval_of_a_good_checkpoint_still_works(tmp_path, saved_runs, capsys):
    code, out, err = main_in_process(capsys, "eval", "--checkpoint", saved_runs["finished-cell7"])
    assert code == 0 and err == [] and out[-1].startswith("Test accuracy: ")


# --- divergence ------------------------------------------------------------------------------

def test_non_finite_loss_stops_naming_epoch_and_step(tmp_path, data_dir):
    ckpt = str(tmp_path / "m.ckpt")
    r = run("train", "--seed", SEED, "--epochs", "2", "--no-batch-norm", "--learning-rate", "1e4",
            "--data-dir", data_dir, "--checkpoint", ckpt)
    assert r.proc.returncode == 3
    one_line_error(r, "training diverged: the loss is nan at epoch 0, step 3 ",
                   "no epoch was complete")
    assert not [n for n in os.listdir(tmp_path) if n.startswith("epoch.ckpt")]
    assert run_log(tmp_path)[-1] == r.err[0]


def test_divergence_keeps_the_last_good_checkpoint(tmp_path, saved_runs, capsys, data_dir):
    # Two good epochs saved; the run then goes on at a learning rate of 1e20
    # (its run state edited, as no flag may change it), which blows up in epoch 2.
    ckpt = copy_run(saved_runs, "unfinished-cell11", tmp_path)
    folder = os.path.dirname(ckpt)
    state_path = os.path.join(folder, "run_state.json")
    with open(state_path) as f:
        state = json.load(f)
    state["config"]["learning_rate"] = 1e20
    with open(state_path, "w") as f:
        json.dump(state, f)
    good = {path: content for path, content in snapshot(folder).items()
            if os.path.basename(path).startswith("epoch.ckpt-2.")}
    assert good
    code, _, err = main_in_process(capsys, "train", "--resume", "--checkpoint", ckpt,
                                   "--data-dir", data_dir)
    assert code == 3 and len(err) == 1
    assert re.search(r"training diverged: the loss is (nan|inf|-inf) at epoch 2, step \d+ ", err[0])
    assert "kept the checkpoint of epochs 0-1 of 4 (epoch.ckpt-2)" in err[0]
    for path, content in good.items():
        with open(path, "rb") as f:
            assert f.read() == content
    after = assert_consistent(folder)
    assert after["epochs_done"] == 2 and after["checkpoint"] == "epoch.ckpt-2"
    assert tf.train.latest_checkpoint(folder).endswith("epoch.ckpt-2")


# --- bad flags -------------------------------------------------------------------------------

@pytest.mark.parametrize("args, expected", [
    (["--epochs", "0"], "expected a whole number >= 1"),
    (["--epochs", "-2"], "expected a whole number >= 1"),
    (["--batch-size", "-5"], "expected a whole number >= 1"),
    (["--batch-size", "55001"], "expected a whole number >= 1 and <= 55000"),
    (["--learning-rate", "-1"], "expected a finite number > 0"),
    (["--learning-rate", "0"], "expected a finite number > 0"),
    (["--learning-rate", "nan"], "expected a finite number > 0"),
    (["--learning-rate", "inf"], "expected a finite number > 0"),
    (["--learning-rate", "1e-3x"], "invalid float value"),
    (["--variant", "cell12"], "invalid choice: 'cell12' (choose from"),
    (["--resume", "--epochs", "abc"], "invalid int value: 'abc'"),
])
def test_bad_flags_list_the_valid_range(tmp_path, args, expected):
    r = run("train", "--checkpoint", tmp_path / "m.ckpt", *args)
    assert r.proc.returncode == 2
    assert expected in r.err[-1] and r.err[0].startswith("usage: tf1repro train")
    assert "Traceback" not in "\n".join(r.err)
    assert os.listdir(tmp_path) == []
