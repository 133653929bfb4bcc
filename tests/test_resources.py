"""Resource faults: a full disk, I/O errors, a read-only file system, exhausted memory.

Each fault must come out as one line on stderr (no traceback) and exit
status 4, keep the last committed epoch, leave nothing half-written (our
``.NAME.*.tmp`` files and TensorFlow's ``*.tempstate*`` gone), and
``--resume`` must then end exactly where the uninterrupted run ends.

Through the real command line where the machine allows it: a few-MB tmpfs
mounted in a private mount namespace (``unshare -rm``), held by a ``sleep``
inside it and reached from outside through ``/proc/PID/root``; a filler file
fills it at a chosen moment of the run (the markers of
``TF1REPRO_TEST_SAVE_DELAY``).  In process otherwise: ``OSError(ENOSPC)``,
``OSError(EIO)``, ``EROFS``, TensorFlow's ``ResourceExhaustedError`` and
``MemoryError`` injected at each writer and reader.
"""

import errno
import gzip
import json
import os
import re
import shutil
import subprocess

import pytest

from test_reliability import Run, notebook_lines, one_line_error, tensors

from tf1repro import cli, files
from tf1repro.data import datasets as data
from tf1repro.data import idx
from tf1repro.runs import inspect_checkpoint, train
from tf1repro.data.provision import default_data_dir, ensure_mnist
from tf1repro.tfcompat import tf, v1

SEED, EPOCHS, BATCH = "4", "4", "1000"
DELAY = "0.2"


@pytest.fixture(scope="module")
def data_dir():
    path = default_data_dir()
    ensure_mnist(path, log=lambda line: None)
    return path


def train_args(ckpt, data_dir, *extra):
    return ["train", "--seed", SEED, "--epochs", EPOCHS, "--batch-size", BATCH, "--loop",
            "in_graph", "--data-dir", data_dir, "--checkpoint", ckpt, *extra]


@pytest.fixture(scope="module")
def reference(tmp_path_factory, data_dir):
    """The run left alone: its printed epochs and test accuracy, and its tensors."""
    ckpt = str(tmp_path_factory.mktemp("reference") / "m.ckpt")
    r = Run(*train_args(ckpt, data_dir))
    assert r.finish() == 0, r.err
    return {"lines": notebook_lines(r.out), "tensors": tensors(ckpt)}


def leftovers(folder):
    """Temporary files of ours (``.NAME.*.tmp``) or TensorFlow's (``*.tempstateN``, ``*.tmpHEX``)."""
    return [n for n in os.listdir(folder)
            if n.endswith(".tmp") or re.search(r"\.(tempstate\d+|tmp[0-9a-f]{32})$", n)]


def committed(folder):
    with open(os.path.join(folder, "run_state.json")) as f:
        return json.load(f)


def assert_resumes_to_reference(ckpt, data_dir, reference, run=None):
    """``--resume`` (as the error line says) ends where the uninterrupted run ends."""
    r = (run or Run)("train", "--resume", "--checkpoint", ckpt, "--data-dir", data_dir)
    assert r.finish() == 0, r.err
    assert notebook_lines(r.out) == reference["lines"]
    saved = tensors(ckpt)
    assert saved.keys() == reference["tensors"].keys()
    for name, value in reference["tensors"].items():
        assert (saved[name] == value).all(), name
    assert leftovers(os.path.dirname(ckpt)) == []


# --- a real small disk: a tmpfs in a private mount namespace ------------------------------

def _namespaces_work():
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


needs_tmpfs = pytest.mark.skipif(not _namespaces_work(), reason="no unprivileged user and mount "
                                 "namespaces here ('unshare -rm true' fails), so no small tmpfs")


class SmallDisk:
    """A tmpfs of ``size`` in a mount namespace of its own, reached through ``/proc/PID/root``."""

    def __init__(self, mountpoint, size):
        os.makedirs(mountpoint, exist_ok=True)
        self.holder = subprocess.Popen(
            ["unshare", "-rm", "sh", "-c",
             f"mount -t tmpfs -o size={size} none '{mountpoint}' && echo mounted && exec sleep 900"],
            stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
        line = self.holder.stdout.readline()
        if line.strip() != "mounted":
            self.close()
            pytest.skip(f"cannot mount a tmpfs in a private namespace ({line!r})")
        self.path = f"/proc/{self.holder.pid}/root{mountpoint}"
        if not os.access(self.path, os.W_OK):
            self.close()
            pytest.skip("the namespace's tmpfs is not reachable through /proc/PID/root")

    def fill(self):
        """Write a filler file until the disk is full."""
        with open(os.path.join(self.path, "filler"), "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * (64 << 10))
            except OSError as e:
                assert e.errno == errno.ENOSPC

    def unfill(self):
        os.unlink(os.path.join(self.path, "filler"))

    def close(self):
        self.holder.kill()  # the sleep holding the namespace: its tmpfs goes with it
        self.holder.wait()


@pytest.fixture
def small_disk(tmp_path):
    disks = []

    def make(size="6m", name="disk"):
        disks.append(SmallDisk(str(tmp_path / name), size))
        return disks[-1]

    yield make
    for d in disks:
        d.close()


# (the moment the disk fills up, what fails, epochs kept)
FULL_AT = [
    ("epoch 2 start", r"saving epoch 2 \(epoch\.ckpt-3\) to DISK \(an epoch needs about 1\.1 MB "
                      r"there\)", "0-1 of 4 (epoch.ckpt-2)"),
    ("save 3 checkpoint-written", "writing DISK/run_state.json", "0-1 of 4 (epoch.ckpt-2)"),
    ("save 2 committed", "writing DISK/run.log", "0-1 of 4 (epoch.ckpt-2)"),
    ("save final begin", r"saving the final checkpoint \(m\.ckpt\) to DISK",
     "0-3 of 4 (epoch.ckpt-4)"),
    ("save final checkpoint-written", "writing DISK/metrics.json", "0-3 of 4 (epoch.ckpt-4)"),
]


@needs_tmpfs
@pytest.mark.parametrize("moment, what, kept", FULL_AT, ids=[m for m, _, _ in FULL_AT])
def test_disk_full_mid_run_says_one_line_and_resumes(small_disk, data_dir, reference,
                                                    moment, what, kept):
    disk = small_disk()
    ckpt = os.path.join(disk.path, "m.ckpt")
    r = Run(*train_args(ckpt, data_dir), delay=DELAY)
    r.wait_for("err", f"tf1repro-test: {moment}$")
    disk.fill()
    assert r.finish() == 4, r.err
    line = one_line_error(r)
    expected = (r"^tf1repro: error: no space left on device while " + what.replace("DISK", re.escape(disk.path))
                + re.escape(f"; kept the checkpoint of epochs {kept}; free some space, then: "
                            f"./run.sh train --resume --checkpoint {ckpt}") + "$")
    assert re.match(expected, line), (expected, line)
    # Nothing half-written; the run state and TensorFlow's pointer name the kept epoch.
    assert leftovers(disk.path) == []
    last = kept.split("(")[1].rstrip(")")
    state = committed(disk.path)
    assert state["checkpoint"] == last and not state["finished"]
    epochs = sorted(n for n in os.listdir(disk.path) if n.startswith("epoch.ckpt-"))
    assert all(int(n.split("-")[1].split(".")[0]) <= int(last.split("-")[1]) for n in epochs)
    assert len(tensors(os.path.join(disk.path, last))) == 18
    pointer = tf.train.latest_checkpoint(disk.path)
    assert pointer is None or pointer.endswith(last)  # None: --resume writes it again
    disk.unfill()
    assert_resumes_to_reference(ckpt, data_dir, reference)


@needs_tmpfs
def test_train_refuses_early_when_the_run_cannot_fit(small_disk, data_dir):
    disk = small_disk("3m")
    ckpt = os.path.join(disk.path, "m.ckpt")
    r = Run(*train_args(ckpt, data_dir))
    assert r.finish() == 4
    line = one_line_error(r, f"not enough space for this run (an epoch checkpoint is about 1.1 MB) "
                             f"in {disk.path}: it needs about 4.", "free some space or choose "
                             "another folder")
    assert "MB are free" in line
    assert sorted(os.listdir(disk.path)) == ["train.lock"]


@needs_tmpfs
def test_provisioning_refuses_early_when_mnist_cannot_fit(small_disk, tmp_path):
    disk = small_disk("2m")
    r = Run("train", "--epochs", "1", "--data-dir", os.path.join(disk.path, "mnist"),
            "--checkpoint", tmp_path / "run" / "m.ckpt")
    assert r.finish() == 4
    one_line_error(r, "not enough space for MNIST (4 of 4 files) in "
                      f"{os.path.join(disk.path, 'mnist')}: it needs about 11.",
                   "free some space or choose another folder")
    assert os.listdir(os.path.join(disk.path, "mnist")) == []


@needs_tmpfs
def test_tensorboard_events_on_a_full_disk(small_disk, tmp_path, data_dir, reference):
    disk = small_disk("2m")
    ckpt = str(tmp_path / "run" / "m.ckpt")
    # Full from the start: TensorFlow's writer fails on its first flush, after epoch 0.  (Filling it
    # mid-run is a race with the writer's thread, and tmpfs takes whole pages, so
    # a small event may still fit in the last one; the flush failure mid-run is
    # test_tensorboard_flush_failure.)
    disk.fill()
    r = Run(*train_args(ckpt, data_dir, "--logdir", os.path.join(disk.path, "tb")))
    assert r.finish() == 4, r.err
    # TensorFlow's C++ event writer logs its own error line before ours, which only
    # TF_CPP_MIN_LOG_LEVEL=3 (hiding every C++ error) would keep off stderr.
    cpp = [ln for ln in r.err if re.match(r"E\d{4} .*events_writer\.cc:\d+\] ", ln)]
    assert len(cpp) <= 1, r.err
    r.lines["err"] = [ln for ln in r.lines["err"] if ln not in cpp]
    one_line_error(r, f"no space left on device while writing TensorBoard events to "
                      f"{os.path.join(disk.path, 'tb')}; kept the checkpoint of epochs 0-0 of 4 "
                      "(epoch.ckpt-1); free some space, then: ./run.sh train --resume")
    assert leftovers(os.path.dirname(ckpt)) == []
    disk.unfill()
    assert_resumes_to_reference(ckpt, data_dir, reference)


# --- in process: every writer and reader, each error ----------------------------------------

@pytest.fixture(scope="module")
def small_reference(tmp_path_factory, data_dir):
    """3 epochs of 11 steps, trained in process: what every injected run must end at."""
    ckpt = str(tmp_path_factory.mktemp("small") / "m.ckpt")
    code, out, _ = main(*small_args(ckpt, data_dir))
    assert code == 0
    return {"lines": notebook_lines(out), "tensors": tensors(ckpt), "checkpoint": ckpt}


def small_args(ckpt, data_dir):
    return ["train", "--seed", "4", "--epochs", "3", "--batch-size", "5000", "--loop",
            "in_graph", "--data-dir", data_dir, "--checkpoint", ckpt]


def main(*argv):
    """``cli.main`` in this process: (exit code, stdout lines, stderr lines); never a traceback."""
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main([str(a) for a in argv])
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


class InProcess:
    """Run-alike for ``assert_resumes_to_reference``: ``cli.main`` here."""

    def __init__(self, *argv):
        self.code, self.out, self.err = main(*argv)

    def finish(self):
        return self.code


def os_error(code):
    return OSError(code, os.strerror(code))


class Once:
    """Raise ``error`` on the ``nth`` call whose first argument's (or ``dst``'s) name matches."""

    def __init__(self, real, name, error, nth=1, arg=0):
        self.real, self.name, self.error, self.nth, self.arg = real, name, error, nth, arg
        self.calls = 0

    def __call__(self, *args, **kwargs):
        target = str(args[self.arg]) if len(args) > self.arg else str(kwargs.get("prefix", ""))
        if os.path.basename(target).startswith(self.name) or f".{self.name}." in target:
            self.calls += 1
            if self.calls == self.nth:
                raise self.error
        return self.real(*args, **kwargs)


CAUSES = {errno.ENOSPC: ("no space left on device", "free some space"),
          errno.EIO: ("input/output error (the disk or its file system failed)",
                      "check the disk (dmesg) and its free space"),
          errno.EROFS: ("read-only file system", "make it writable again"),
          errno.EDQUOT: ("disk quota exceeded", "free some space within your quota")}

# (file, which of its writes fails, how, error, epochs kept)
WRITES = [
    # its commits: before the first epoch (1), after each epoch (2, 3, 4), final (5)
    ("run_state.json", 3, "replace", errno.ENOSPC, "0-0 of 3 (epoch.ckpt-1)"),
    ("run_state.json", 4, "mkstemp", errno.EROFS, "0-1 of 3 (epoch.ckpt-2)"),
    ("run_state.json", 5, "replace", errno.EIO, "0-2 of 3 (epoch.ckpt-3)"),
    ("run.log", 2, "replace", errno.EIO, "0-0 of 3 (epoch.ckpt-1)"),
    ("config.json", 1, "replace", errno.EDQUOT, None),
    ("metrics.json", 1, "mkstemp", errno.ENOSPC, "0-2 of 3 (epoch.ckpt-3)"),
]


@pytest.mark.parametrize("name, nth, how, code, kept", WRITES,
                         ids=[f"{w[0]}-{w[2]}-{errno.errorcode[w[3]]}" for w in WRITES])
def test_write_atomic_failures_in_train(tmp_path, monkeypatch, data_dir, small_reference,
                                        name, nth, how, code, kept):
    ckpt = str(tmp_path / "m.ckpt")
    if how == "replace":
        monkeypatch.setattr(files.os, "replace", Once(os.replace, name, os_error(code), nth, arg=1))
    else:
        monkeypatch.setattr(files.tempfile, "mkstemp",
                            Once(files.tempfile.mkstemp, name, os_error(code), nth, arg=99))
    status, _, err = main(*small_args(ckpt, data_dir))
    monkeypatch.undo()
    cause, advice = CAUSES[code]
    assert status == 4 and len(err) == 1, err
    assert err[0].startswith(f"tf1repro: error: {cause} while writing {tmp_path / name}")
    if kept:
        assert f"; kept the checkpoint of epochs {kept}; {advice}, then: ./run.sh train " \
               f"--resume --checkpoint {ckpt}" in err[0]
        assert committed(tmp_path)["checkpoint"] == kept.split("(")[1].rstrip(")")
    else:  # before the first epoch: nothing kept
        assert "no epoch was complete, so no checkpoint is kept" in err[0]
    assert leftovers(tmp_path) == []
    assert_resumes_to_reference(ckpt, data_dir, small_reference, run=InProcess)


def tf_error(kind, text):
    return getattr(tf.errors, kind)(None, None, text)


# (the epoch whose save fails, the error TensorFlow raises, the cause the user reads)
SAVES = [
    (2, tf_error("ResourceExhaustedError", "DIR/epoch.ckpt-2.data-00000-of-00001.tempstate1; "
                 "No space left on device"), "no space left on device"),
    (1, tf_error("UnknownError", "DIR/epoch.ckpt-1.index.tempstate2; Input/output error"),
     "input/output error (the disk or its file system failed)"),
    (3, tf_error("FailedPreconditionError", "DIR/checkpoint.tmp3; Read-only file system"),
     "read-only file system"),
    ("final", tf_error("ResourceExhaustedError", "DIR/m.ckpt.meta.tmp4; Disk quota exceeded"),
     "disk quota exceeded"),
    (2, os_error(errno.EIO), "input/output error (the disk or its file system failed)"),  # our fsync
]


@pytest.mark.parametrize("which, error, cause", SAVES,
                         ids=["ENOSPC", "EIO", "EROFS", "final-EDQUOT", "fsync-EIO"])
def test_saver_failures_in_train(tmp_path, monkeypatch, data_dir, small_reference,
                                 which, error, cause):
    ckpt = str(tmp_path / "m.ckpt")
    real_save = v1.train.Saver.save

    def save(self, sess, prefix, global_step=None, **kwargs):
        target = global_step if global_step is not None else "final"
        if target == which and not isinstance(error, OSError):
            # What TensorFlow leaves behind when it fails halfway.
            open(f"{prefix}-{target}.data-00000-of-00001.tempstate1" if global_step
                 else f"{prefix}.index.tempstate1", "wb").close()
            raise error
        return real_save(self, sess, prefix, global_step=global_step, **kwargs)

    def fsync_files(paths):
        if any(os.path.basename(p).startswith(f"epoch.ckpt-{which}.") for p in paths):
            raise error
        return real_fsync(paths)

    real_fsync = files.fsync_files
    monkeypatch.setattr(v1.train.Saver, "save", save)
    monkeypatch.setattr(train.checkpointing, "fsync_files", fsync_files)
    status, _, err = main(*small_args(ckpt, data_dir))
    monkeypatch.undo()
    assert status == 4 and len(err) == 1, err
    done = 3 if which == "final" else which - 1
    what = ("the final checkpoint (m.ckpt)" if which == "final"
            else f"epoch {which - 1} (epoch.ckpt-{which})")
    assert err[0].startswith(f"tf1repro: error: {cause} while saving {what} to {tmp_path}")
    if done:
        assert f"kept the checkpoint of epochs 0-{done - 1} of 3 (epoch.ckpt-{done})" in err[0]
        assert committed(tmp_path)["checkpoint"] == f"epoch.ckpt-{done}"
    else:
        assert "no epoch was complete" in err[0]
    assert leftovers(tmp_path) == []
    assert not [n for n in os.listdir(tmp_path)
                if n.startswith((f"epoch.ckpt-{which}.", "m.ckpt."))]
    assert_resumes_to_reference(ckpt, data_dir, small_reference, run=InProcess)


@pytest.mark.parametrize("error, cause", [
    (tf_error("ResourceExhaustedError", "OOM when allocating tensor with shape[5000,300]"),
     "out of memory"),
    (MemoryError(), "out of memory"),
])
def test_memory_runs_out_in_an_epoch(tmp_path, monkeypatch, data_dir, small_reference, error, cause):
    ckpt = str(tmp_path / "m.ckpt")
    real = train.run_epoch_in_graph
    calls = []

    def epoch(*args):
        calls.append(1)
        if len(calls) == 2:
            raise error
        return real(*args)

    monkeypatch.setattr(train, "run_epoch_in_graph", epoch)
    status, _, err = main(*small_args(ckpt, data_dir))
    monkeypatch.undo()
    assert status == 4 and len(err) == 1, err
    assert err[0] == (f"tf1repro: error: {cause} while training epoch 1; kept the checkpoint of "
                      "epochs 0-0 of 3 (epoch.ckpt-1); close other programs or use a smaller "
                      f"--batch-size, then: ./run.sh train --resume --checkpoint {ckpt}")
    assert leftovers(tmp_path) == []
    assert_resumes_to_reference(ckpt, data_dir, small_reference, run=InProcess)


def test_tensorboard_flush_failure(tmp_path, monkeypatch, data_dir, small_reference):
    ckpt = str(tmp_path / "run" / "m.ckpt")
    logdir = str(tmp_path / "tb")

    def flush(self):
        raise tf_error("UnknownError", f"{logdir}/events.out.tfevents.1; No space left on device")

    monkeypatch.setattr(v1.summary.FileWriter, "flush", flush)
    status, _, err = main(*small_args(ckpt, data_dir), "--logdir", logdir)
    monkeypatch.undo()
    assert status == 4 and len(err) == 1, err
    assert err[0].startswith(f"tf1repro: error: no space left on device while writing TensorBoard "
                             f"events to {logdir}; kept the checkpoint of epochs 0-0 of 3")
    assert_resumes_to_reference(ckpt, data_dir, small_reference, run=InProcess)


# --- the writer itself: sweep summaries, provisioning ----------------------------------------

@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EIO, errno.EROFS, errno.EDQUOT])
def test_write_json_failure_is_one_resource_error(tmp_path, monkeypatch, code):
    # sweep.json, ablation.json and a sweep's job files are written by write_json.
    path = tmp_path / "sweep.json"
    path.write_text('{"old": true}\n')
    monkeypatch.setattr(files.os, "fsync", lambda fd: (_ for _ in ()).throw(os_error(code)))
    with pytest.raises(files.ResourceError) as e:
        files.write_json(str(path), {"new": True})
    cause, advice = CAUSES[code]
    assert str(e.value) == f"{cause} while writing {path}; {advice}"
    assert e.value.exit_code == 4
    assert os.listdir(tmp_path) == ["sweep.json"] and path.read_text() == '{"old": true}\n'


def test_memory_error_in_the_writer(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise MemoryError()

    monkeypatch.setattr(files.os, "fsync", boom)
    with pytest.raises(files.ResourceError, match="^out of memory while writing"):
        files.write_atomic(str(tmp_path / "x"), "text")
    assert os.listdir(tmp_path) == []


def test_provisioning_write_failure(tmp_path, monkeypatch, data_dir):
    from tf1repro.data import provision
    name = "t10k-labels-idx1-ubyte.gz"
    content = gzip.decompress(open(os.path.join(data_dir, name), "rb").read())
    monkeypatch.setattr(files.os, "replace", Once(os.replace, name, os_error(errno.ENOSPC), arg=1))
    with pytest.raises(files.ResourceError) as e:
        provision._store(str(tmp_path), name, content)
    assert str(e.value) == f"no space left on device while writing {tmp_path / name}; free some space"
    assert os.listdir(tmp_path) == []


def test_free_space_check_message(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "free_bytes", lambda folder: 1_000_000)
    with pytest.raises(files.ResourceError) as e:
        files.check_free_space(str(tmp_path), 4_300_000, "this run")
    assert str(e.value) == (f"not enough space for this run in {tmp_path}: it needs about 4.3 MB "
                            "there, 1.0 MB are free; free some space or choose another folder")


# --- reads: data files, checkpoints, run state; eval, vars, plot --------------------------------

@pytest.fixture(scope="module")
def finished(small_reference):
    return small_reference["checkpoint"]


class FailingFile:
    def __init__(self, error):
        self.error = error

    def read(self, *a):
        raise self.error

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False


def test_data_file_io_error(monkeypatch, finished, data_dir):
    real = idx.gzip.open
    monkeypatch.setattr(idx.gzip, "open", lambda path, mode="rb": FailingFile(os_error(errno.EIO))
                        if "train-images" in str(path) else real(path, mode))
    status, _, err = main("eval", "--checkpoint", finished, "--data-dir", data_dir)
    assert status == 4 and len(err) == 1, err
    assert err[0] == (f"tf1repro: error: input/output error (the disk or its file system failed) "
                      f"while reading {os.path.join(data_dir, 'train-images-idx3-ubyte.gz')}; "
                      "check the disk (dmesg) and its free space")


def test_data_file_memory_error(monkeypatch, finished, data_dir):
    real = idx.gzip.open
    monkeypatch.setattr(idx.gzip, "open", lambda path, mode="rb": FailingFile(MemoryError())
                        if "t10k-images" in str(path) else real(path, mode))
    status, _, err = main("eval", "--checkpoint", finished, "--data-dir", data_dir)
    assert status == 4 and len(err) == 1 and "out of memory while reading" in err[0], err


@pytest.mark.parametrize("command", ["eval", "vars"])
def test_checkpoint_index_io_error(monkeypatch, finished, data_dir, command):
    def list_variables(path):
        raise tf_error("UnknownError", f"{path}.index; Input/output error")

    monkeypatch.setattr(inspect_checkpoint.tf.train, "list_variables", list_variables)
    status, _, err = main(command, "--checkpoint", finished)
    assert status == 4 and len(err) == 1, err
    assert err[0].startswith(f"tf1repro: error: input/output error (the disk or its file system "
                             f"failed) while reading {finished}")


def test_checkpoint_restore_io_error_and_damage(monkeypatch, finished, data_dir):
    def restore(self, sess, path):
        raise tf_error("UnknownError", f"{path}.data-00000-of-00001; Input/output error")

    monkeypatch.setattr(v1.train.Saver, "restore", restore)
    status, _, err = main("eval", "--checkpoint", finished, "--data-dir", data_dir)
    assert status == 4 and len(err) == 1, err
    assert "input/output error (the disk or its file system failed) while reading the " \
           f"checkpoint {finished}" in err[0]

    def damaged(self, sess, path):
        raise tf_error("DataLossError", "truncated record")

    monkeypatch.setattr(v1.train.Saver, "restore", damaged)
    status, _, err = main("eval", "--checkpoint", finished, "--data-dir", data_dir)
    assert status == 2 and len(err) == 1 and "cannot restore it (truncated record)" in err[0]


def test_run_state_io_error_on_resume(tmp_path, monkeypatch, finished):
    folder = tmp_path / "run"
    shutil.copytree(os.path.dirname(finished), folder)
    before = sorted(os.listdir(folder))
    real_open = open

    def fake_open(path, *a, **k):
        if str(path).endswith("run_state.json"):
            raise os_error(errno.EIO)
        return real_open(path, *a, **k)

    monkeypatch.setattr(train.checkpointing, "open", fake_open, raising=False)
    status, _, err = main("train", "--resume", "--checkpoint", folder / "m.ckpt")
    assert status == 4 and len(err) == 1, err
    assert err[0].startswith(f"tf1repro: error: input/output error (the disk or its file system "
                             f"failed) while reading {folder / 'run_state.json'}")
    assert sorted(os.listdir(folder)) == before


def test_config_json_io_error(tmp_path, monkeypatch, finished):
    real_open = open

    def fake_open(path, *a, **k):
        if str(path).endswith("config.json"):
            raise os_error(errno.EIO)
        return real_open(path, *a, **k)

    monkeypatch.setattr(inspect_checkpoint, "open", fake_open, raising=False)
    status, _, err = main("eval", "--checkpoint", finished)
    assert status == 4 and len(err) == 1 and "while reading" in err[0] and "config.json" in err[0]


@pytest.mark.parametrize("command", ["eval", "vars"])
def test_vanished_checkpoint(tmp_path, command):
    status, _, err = main(command, "--checkpoint", tmp_path / "gone" / "m.ckpt")
    assert status == 2 and len(err) == 1 and "no such checkpoint" in err[0], err


def test_plot_of_a_vanished_or_damaged_record(tmp_path):
    pytest.importorskip("matplotlib")
    status, _, err = main("plot", str(tmp_path / "gone"), "--output", tmp_path / "c.png")
    assert status == 2 and len(err) == 1 and "no run record" in err[0], err
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "metrics.json").write_text('{"epochs": [')
    status, _, err = main("plot", str(tmp_path / "bad"), "--output", tmp_path / "c.png")
    assert status == 2 and len(err) == 1 and "not a run record" in err[0], err


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_plot_output_failure(tmp_path, monkeypatch, finished, code):
    # The PNG is rendered in memory and written by the one writer, which says it.
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(files.os, "replace", Once(os.replace, "c.png", os_error(code), arg=1))
    out = tmp_path / "c.png"
    status, _, err = main("plot", finished, "--output", out)
    cause, advice = CAUSES[code]
    assert status == 4 and err == [f"tf1repro: error: {cause} while writing {out}; {advice}"]
    assert not [p for p in os.listdir(tmp_path) if "c.png" in p]  # no PNG, no temporary file


def test_train_plot_failure_after_a_finished_run(tmp_path, monkeypatch, data_dir):
    pytest.importorskip("matplotlib")
    monkeypatch.setattr(files.os, "replace",
                        Once(os.replace, "curves.png", os_error(errno.ENOSPC), arg=1))
    ckpt = str(tmp_path / "m.ckpt")
    status, out, err = main(*small_args(ckpt, data_dir), "--epochs", "1", "--plot")
    assert status == 4 and err == [f"tf1repro: error: no space left on device while writing "
                                   f"{tmp_path / 'curves.png'}; free some space"], err
    assert committed(tmp_path)["finished"]  # the run itself is whole
    assert leftovers(tmp_path) == [] and not (tmp_path / "curves.png").exists()
