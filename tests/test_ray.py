"""Sweeps on Ray: a real cluster on 127.0.0.1, a private instance, faults and bad input.

The cluster is ``ray start --head --block`` on 127.0.0.1 with token
authentication, in a process group of its own that the fixture stops (and
nothing else).  Every sweep here is 2 epochs of batch 1000 with one thread a
training, compared bit for bit with ``train`` run alone with one thread.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest
from procs import processes_holding

from tf1repro.data.provision import default_data_dir, ensure_mnist

ray = pytest.importorskip("ray", reason="Ray missing: pip install -e .[sweep]")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = ["--epochs", "2", "--batch-size", "1000", "--threads", "1"]
NUMBERS = ("batch_accuracy", "validation_accuracy", "mean_loss")


def run_cli(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "tf1repro", *args], cwd=ROOT,
                          env=dict(os.environ, **(env or {})),
                          capture_output=True, text=True, timeout=timeout)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def numbers(record):
    return [[e[k] for k in NUMBERS] for e in record["epochs"]], record["test_accuracy"]


def metrics(folder):
    with open(os.path.join(folder, "metrics.json")) as f:
        return json.load(f)


def wait_for(condition, what, seconds=180, proc=None):
    deadline = time.monotonic() + seconds
    while not condition():
        assert proc is None or proc.poll() is None, (what, proc.communicate())
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def log_has(folder, text):
    try:
        with open(os.path.join(folder, "train.log")) as f:
            return text in f.read()
    except OSError:
        return False


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """``train --seed S`` alone, one thread, seeds 1 and 2 side by side: the numbers to match."""
    ensure_mnist(default_data_dir(), log=lambda line: None)
    tmp = tmp_path_factory.mktemp("reference")
    procs = {seed: subprocess.Popen(
        [sys.executable, "-m", "tf1repro", "train", "--seed", str(seed), "--epochs", "2",
         "--batch-size", "1000", "--checkpoint", str(tmp / f"seed-{seed}" / "m.ckpt")],
        cwd=ROOT, env=dict(os.environ, TF1REPRO_THREADS="1"), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True) for seed in (1, 2)}
    for seed, proc in procs.items():
        assert proc.wait(timeout=300) == 0, proc.stderr.read()
    return {seed: numbers(metrics(tmp / f"seed-{seed}")) for seed in procs}


@pytest.fixture(scope="module")
def head():
    """A Ray head on 127.0.0.1 with token authentication; stopped by its process group."""
    port, token = free_port(), secrets.token_hex(32)
    temp = tempfile.mkdtemp(prefix="r", dir="/tmp")  # unix socket paths must stay short
    env = dict(os.environ, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=token,
               RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0")
    ray_bin = os.path.join(os.path.dirname(sys.executable), "ray")
    proc = subprocess.Popen(
        [ray_bin, "start", "--head", "--block", "--node-ip-address", "127.0.0.1",
         "--port", str(port), "--num-cpus", "2", "--include-dashboard=false",
         "--disable-usage-stats", "--temp-dir", temp],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def accepts():
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                return True
            except OSError:
                return False
        wait_for(accepts, "the Ray head", seconds=90, proc=proc)
        yield {"address": f"127.0.0.1:{port}", "env": {"RAY_AUTH_TOKEN": token}}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        time.sleep(1)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # anything of the group still there
        except ProcessLookupError:
            pass
        shutil.rmtree(temp, ignore_errors=True)


def test_cluster_sweep_equals_train_bit_for_bit(head, reference, tmp_path):
    out = tmp_path / "sweep"
    args = ["sweep", "--seeds", "2", *SMALL, "--out", str(out), "--address", head["address"]]
    r = run_cli(*args, env=head["env"])
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"the Ray cluster at {head['address']} (2 CPUs)" in r.stdout
    summary = json.loads((out / "sweep.json").read_text())
    assert summary["finished"] == [1, 2]
    for run in summary["runs"]:
        assert "127.0.0.1" in run["node"]
        assert numbers(metrics(out / f"seed-{run['seed']}")) == reference[run["seed"]]
    assert r.stderr == ""  # Ray's own chatter stays out of the way

    again = run_cli(*args, env=head["env"])  # a finished sweep trains nothing
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("trained already (ok), not trained again") == 2
    assert "# training" not in again.stdout


def test_cluster_without_the_token_is_refused_in_one_line(head, tmp_path):
    out = tmp_path / "sweep"
    r = run_cli("sweep", "--seeds", "1", *SMALL, "--out", str(out), "--address", head["address"],
                env={"RAY_AUTH_TOKEN": "0" * 64}, timeout=180)
    assert r.returncode == 2, r.stdout + r.stderr
    assert r.stderr.startswith("tf1repro: error: ") and "token" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()


def test_worker_killed_mid_training_is_retried_and_resumes(reference, tmp_path):
    """The no-address default: a private Ray instance.  SIGKILL the Ray worker during epoch 1."""
    out = tmp_path / "sweep"
    folder = str(out / "seed-1")
    proc = subprocess.Popen([sys.executable, "-m", "tf1repro", "sweep", "--seeds", "1", *SMALL,
                             "--out", str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    wait_for(lambda: log_has(folder, "0 Batch accuracy"), "epoch 0", proc=proc)
    trainings = processes_holding(os.path.join(folder, "train.lock"))  # the Ray worker
    assert len(trainings) == 1 and proc.pid not in trainings, trainings
    os.kill(trainings[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 0, stdout + stderr
    record = metrics(folder)
    assert record["resumed_after_epochs"] == [1]  # the retry went on from the saved epoch
    assert numbers(record) == reference[1]
    assert "continuing with epoch 1 of 2" in open(os.path.join(folder, "train.log")).read()


def test_driver_killed_then_run_again_resumes(reference, tmp_path):
    out = tmp_path / "sweep"
    args = ["sweep", "--seeds", "2", "--jobs", "1", *SMALL, "--out", str(out)]
    before = set(os.listdir("/tmp"))
    # Pauses in every save (test-only) keep seed 2 in its epoch 1 while the
    # trainings notice that the Ray instance is gone (a few seconds).
    proc = subprocess.Popen([sys.executable, "-m", "tf1repro", *args], cwd=ROOT,
                            env=dict(os.environ, TF1REPRO_TEST_SAVE_DELAY="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    wait_for(lambda: log_has(str(out / "seed-2"), "0 Batch accuracy"), "seed 2's epoch 0",
             proc=proc)
    os.killpg(proc.pid, signal.SIGKILL)  # the driver and the Ray instance it started
    proc.communicate(timeout=60)
    locks = [str(out / f"seed-{seed}" / "train.lock") for seed in (1, 2)]
    wait_for(lambda: not any(processes_holding(lock) for lock in locks), "the training to die",
             seconds=30)
    # The killed driver could not remove its Ray folder (Ray's logs): this test does.
    for name in set(os.listdir("/tmp")) - before:
        if name.startswith("tf1ray-"):
            shutil.rmtree(os.path.join("/tmp", name), ignore_errors=True)
    seed1 = (out / "seed-1" / "metrics.json").stat().st_mtime_ns

    r = run_cli(*args)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"# {out / 'seed-1'}: trained already (ok), not trained again" in r.stdout
    assert "# training 1 of 2 runs" in r.stdout
    assert (out / "seed-1" / "metrics.json").stat().st_mtime_ns == seed1
    record = metrics(out / "seed-2")
    assert record["resumed_after_epochs"] == [1]
    assert numbers(record) == reference[2]
    assert json.loads((out / "sweep.json").read_text())["finished"] == [1, 2]


def test_unreachable_address_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "sweep"
    r = run_cli("sweep", "--seeds", "1", *SMALL, "--out", str(out),
                "--address", f"127.0.0.1:{free_port()}", timeout=60)
    assert r.returncode == 2
    assert r.stderr.startswith("tf1repro: error: cannot reach a Ray cluster at 127.0.0.1:")
    assert len(r.stderr.strip().splitlines()) == 1 and not out.exists()


def test_ray_missing_is_one_line_and_writes_nothing(tmp_path):
    out = tmp_path / "ablation"
    code = ("import sys; sys.modules['ray'] = None; from tf1repro.cli import main; "
            f"sys.exit(main(['ablation', '--seeds', '1', '--out', {str(out)!r}]))")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "tf1repro: error: sweep, ablation and run --seeds/--grid run their trainings on Ray, "
        "which is not installed: pip install -e .[sweep] (./run.sh sweep installs it)"]
    assert not out.exists()


def test_version_mismatch_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    from tf1repro import cli

    def init(**kwargs):
        raise RuntimeError("Version mismatch: The cluster was started with:\n    Ray: 2.59.0\n")
    monkeypatch.setattr(ray, "init", init)
    # What the connection sets in the environment, undone after the test.
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    monkeypatch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    with socket.socket() as listener:  # something that accepts, as a head would
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = "127.0.0.1:%d" % listener.getsockname()[1]
        code = cli.main(["sweep", "--seeds", "1", "--out", str(tmp_path / "s"),
                         "--address", address], log=lambda line: None)
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another Ray version than this one (2.60" in err[0], err
    assert not (tmp_path / "s").exists()


def test_progress_is_plain_lines_off_a_terminal():
    from tf1repro.explore.progress import Progress
    lines = []
    p = Progress(3, log=lines.append)
    p.show(running=2)
    p.finished("ok", running=1)
    p.finished("failed", running=0)
    assert [line.split(", ")[:3] for line in lines] == [
        ["# 1/3 done", "1 running", "0 failed"], ["# 2/3 done", "0 running", "1 failed"]]
    assert "elapsed, ETA" in lines[-1]


def test_train_eval_vars_bench_never_import_ray():
    code = ("import sys; from tf1repro import bench, cli; cli.main(['vars']); "
            "assert 'ray' not in sys.modules, 'ray imported'")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
