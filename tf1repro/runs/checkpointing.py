"""Runs that survive crashes: per-epoch run state, atomic writes, the folder lock.

    run_dir = RunDir("checkpoints/my_model_final.ckpt")
    run_dir.prepare()               # folder writable and locked, or UserError: before anything else
    saved = run_dir.load_state()    # the last committed epoch's run state, or None
    train.train_and_evaluate(..., run_dir=run_dir, resume=saved)   # as runs.start.train does

One run per folder.  Beside ``--checkpoint`` (``my_model_final.ckpt``):

    my_model_final.ckpt.*   the notebook's final save, after the test accuracy
    epoch.ckpt-N.*          the model after N epochs (the newest two are kept)
    checkpoint              TensorFlow's pointer to the newest complete checkpoint
    run_state.json          the commit point: config, epochs done, which epoch.ckpt-N,
                            the data order (DataSet.get_state), records and log so far
    run.log                 the run's log, every attempt of it, kept across interruptions
    config.json, metrics.json
    train.lock              flock'ed by the train writing here; the kernel drops it when
                            that process dies, however it dies

A save is: TensorFlow's ``Saver.save`` (data file, then index, each written
to a temporary name and renamed; then the ``checkpoint`` pointer, also
renamed into place), fsync of those files, then ``run_state.json`` written
to a temporary file, fsync'ed and renamed over the old one.  Until that last
rename the previous run state, and the checkpoint it names, are untouched;
``max_to_keep=2`` keeps that checkpoint while the next one is written.  No
TensorFlow here, so the checks in ``prepare`` run before it is imported.

A save or commit the machine fails (no space, an I/O error, ...) raises
``files.ResourceError``, what it wrote removed; ``abandon`` puts the folder
back to the committed run state.  ``check_space`` refuses a run that cannot
fit before anything is written.
"""

import errno
import fcntl
import json
import os
import re
import tempfile

from tf1repro.errors import UserError
from tf1repro.files import (TEST_SAVE_DELAY, ResourceError, check_free_space,  # noqa: F401
                            fsync_dir, fsync_files, megabytes, resource_error, resource_errors,
                            test_point, write_json)

RUN_STATE = "run_state.json"
RUN_LOG = "run.log"
LOCK = "train.lock"
EPOCH_PREFIX = "epoch.ckpt"
STATE_FORMAT = 1
# Names this module or train() write in a run folder: a --checkpoint named so would collide.
RESERVED = ("checkpoint", RUN_STATE, RUN_LOG, LOCK, "config.json", "metrics.json", EPOCH_PREFIX)

_EPOCH_FILE = re.compile(re.escape(EPOCH_PREFIX) + r"-(\d+)\.(index|meta|data-\d+-of-\d+)$")
# What a killed writer leaves: TensorFlow's "<checkpoint file>.tempstate<digits>"
# and "<file>.tmp<32 hex>", and write_atomic's ".<name>.<random>.tmp".
_OURS = (RUN_STATE, RUN_LOG, "config.json", "metrics.json")
_LEFTOVER_OURS = re.compile(r"^\.(" + "|".join(map(re.escape, _OURS)) + r")\..+\.tmp$")
_LEFTOVER_TF = re.compile(r"\.(tempstate\d+|tmp[0-9a-f]{32})$")


class RunDir:
    """The folder of one run: its paths, its lock, its committed run state."""

    def __init__(self, checkpoint):
        self.checkpoint = os.path.abspath(checkpoint)
        self.folder = os.path.dirname(self.checkpoint)
        self.state_path = os.path.join(self.folder, RUN_STATE)
        self.log_path = os.path.join(self.folder, RUN_LOG)
        self.lock_path = os.path.join(self.folder, LOCK)
        self.epoch_prefix = os.path.join(self.folder, EPOCH_PREFIX)
        self._lock_fd = None
        self.epoch_bytes = None  # an epoch checkpoint's size, once check_space has run

    def __repr__(self):
        return f"RunDir({self.checkpoint!r}, locked={self._lock_fd is not None})"

    # --- before anything is written ------------------------------------------

    def prepare(self):
        """Fail fast on an unusable checkpoint path, then take the folder's lock.

        Creates the folder if needed; writes nothing else but the (empty)
        lock file.  UserError, one line, when the path is a folder or a
        reserved name, the folder cannot be created or written, or another
        ``train`` holds the lock.
        """
        if self._lock_fd is not None:
            return self
        name = os.path.basename(self.checkpoint)
        if os.path.isdir(self.checkpoint):
            raise UserError(f"--checkpoint {self.checkpoint} is a folder; give a path to a "
                            f"checkpoint in it, such as {os.path.join(self.checkpoint, 'my_model_final.ckpt')}")
        if name in RESERVED:
            raise UserError(f"--checkpoint {self.checkpoint}: '{name}' is a file train writes "
                            "beside the checkpoint; choose another name, such as my_model_final.ckpt")
        try:
            os.makedirs(self.folder, exist_ok=True)
            with tempfile.TemporaryFile(dir=self.folder):
                pass
        except OSError as e:
            raise UserError(f"{self.folder}: cannot write checkpoints there "
                            f"({e.strerror or e}); choose another --checkpoint") from None
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as e:
            raise UserError(f"{self.lock_path}: cannot open the lock file ({e.strerror or e}); "
                            "choose another --checkpoint") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            os.close(fd)
            if e.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UserError(f"{self.folder}: another 'train' is writing there (it holds "
                                f"{LOCK}); wait for it to finish, or choose another --checkpoint") from None
            raise UserError(f"{self.lock_path}: cannot lock ({e.strerror or e})") from None
        self._lock_fd = fd
        return self

    def release(self):
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing drops the flock
            self._lock_fd = None

    def load_state(self):
        """The committed run state (a dict), or None when nothing was saved here."""
        try:
            with open(self.state_path) as f:
                state = json.load(f)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            machine = resource_error(e, f"reading {self.state_path}", reading=True)
            if machine is not None:
                raise machine from None
            raise UserError(f"{self.state_path}: unreadable run state ({e}); move it away to "
                            "train afresh into this folder") from None
        keys = ("format", "config", "epochs_done", "checkpoint", "data_state", "epochs", "log")
        if not isinstance(state, dict) or any(k not in state for k in keys) \
                or state["format"] != STATE_FORMAT:
            raise UserError(f"{self.state_path}: not a run state this version of tf1repro "
                            "wrote; move it away to train afresh into this folder")
        if state["epochs_done"] and not self.has_checkpoint(state["checkpoint"]):
            raise UserError(f"{self.state_path} names {state['checkpoint']}, which is missing "
                            "from its folder; move the run state away to train afresh")
        return state

    # --- paths -----------------------------------------------------------------

    def path(self, name):
        """A file named in the run state (relative to the folder) as an absolute path."""
        return os.path.join(self.folder, name)

    def epoch_checkpoint(self, epochs_done):
        return f"{self.epoch_prefix}-{epochs_done}"

    def has_checkpoint(self, name):
        prefix = self.path(name)
        return os.path.exists(prefix + ".index") and os.path.exists(prefix + ".data-00000-of-00001")

    def _epoch_files(self):
        """{epochs done: [paths]} of the epoch checkpoints in the folder."""
        out = {}
        for name in os.listdir(self.folder):
            m = _EPOCH_FILE.match(name)
            if m:
                out.setdefault(int(m.group(1)), []).append(os.path.join(self.folder, name))
        return out

    def check_space(self, epoch_bytes, final_bytes, state_bytes):
        """ResourceError, before anything is written, when the run cannot fit in the folder.

        At its fullest the folder holds two epoch checkpoints while the
        final save is written, and the run state twice (the old one and
        its replacement, before the rename).  Epoch checkpoints and the run
        state already there count as written.
        """
        self.epoch_bytes = epoch_bytes
        needed = 2 * epoch_bytes + final_bytes + 2 * state_bytes + (64 << 10)
        newest = sorted(self._epoch_files().items())[-2:]
        present = [p for _, paths in newest for p in paths] + [self.state_path]
        needed -= sum(os.path.getsize(p) for p in present if os.path.exists(p))
        check_free_space(self.folder, needed,
                         f"this run (an epoch checkpoint is about {megabytes(epoch_bytes)})")

    # --- once every check has passed --------------------------------------------

    def start_fresh(self):
        """Forget an earlier run here: its run state, its epoch checkpoints, leftovers.

        The run state goes first, so a crash halfway leaves no state naming
        a deleted checkpoint; TensorFlow's pointer goes too, since it may
        name one of them.  ``my_model_final.ckpt`` stays until this run's
        final save replaces it.
        """
        for name in (RUN_STATE, "checkpoint"):
            try:
                os.unlink(self.path(name))
            except FileNotFoundError:
                pass
        fsync_dir(self.folder)
        for paths in self._epoch_files().values():
            for p in paths:
                os.unlink(p)
        self._remove_leftovers()

    def start_resumed(self, committed):
        """Make the folder agree with the run state that names ``committed``; returns what is kept.

        A writer killed after its checkpoint but before its run state left
        a newer epoch checkpoint and pointed TensorFlow's ``checkpoint`` at
        it; this run writes that checkpoint again, in place, so the pointer
        goes back to ``committed`` first, then the newer files go.  The
        epoch checkpoint before ``committed`` stays (the saver rotates it
        out); older ones go.
        """
        from tf1repro.tfcompat import v1
        files = self._epoch_files()
        n = next(k for k in files if self.epoch_checkpoint(k) == committed)
        kept = [self.epoch_checkpoint(k) for k in (n - 1, n)
                if k in files and self.has_checkpoint(os.path.basename(self.epoch_checkpoint(k)))]
        names = [os.path.basename(k) for k in kept]
        v1.train.update_checkpoint_state(self.folder, names[-1], all_model_checkpoint_paths=names)
        fsync_dir(self.folder)
        for k, paths in files.items():
            if self.epoch_checkpoint(k) not in kept:
                for p in paths:
                    os.unlink(p)
        self._remove_leftovers()
        return kept

    def _remove_leftovers(self):
        final = os.path.basename(self.checkpoint)
        for name in os.listdir(self.folder):
            tf_file = _LEFTOVER_TF.search(name) and (
                name.startswith((EPOCH_PREFIX + "-", final + ".", "checkpoint.")))
            if (tf_file or _LEFTOVER_OURS.match(name)) and os.path.isfile(self.path(name)):
                os.unlink(self.path(name))

    def save(self, saver, sess, prefix, label, global_step=None, write_meta_graph=True):
        """``saver.save`` into ``prefix``, then fsync what it wrote; returns the checkpoint path.

        TensorFlow renames each file into place and updates its
        ``checkpoint`` pointer last, but never fsyncs; we do, before the
        run state that will name this checkpoint is written.
        The machine's failures come out as ResourceError, with what this
        save wrote removed (TensorFlow's temporary files and a half-written
        checkpoint); ``abandon`` then puts the folder back to its run state.
        """
        test_point(f"save {label} begin")
        path = prefix if global_step is None else f"{prefix}-{global_step}"
        what = (f"epoch {label - 1} ({os.path.basename(path)})" if global_step is not None
                else f"the final checkpoint ({os.path.basename(path)})")
        try:
            with resource_errors(f"saving {what} to {self.folder}"):
                path = saver.save(sess, prefix, global_step=global_step,
                                  write_meta_graph=write_meta_graph)
                fsync_files([p for p in (path + ".index", path + ".data-00000-of-00001",
                                         path + ".meta", self.path("checkpoint"))
                             if os.path.exists(p)])
        except ResourceError:
            self._remove_checkpoint(path)
            self._remove_leftovers()
            raise
        fsync_dir(self.folder)
        test_point(f"save {label} checkpoint-written")
        return path

    def _remove_checkpoint(self, path):
        for suffix in (".index", ".data-00000-of-00001", ".meta"):
            try:
                os.unlink(path + suffix)
            except FileNotFoundError:
                pass

    def abandon(self, state):
        """After a failed write: back to the run state ``state`` (the committed one), best effort.

        Epoch checkpoints newer than the one it names go, TensorFlow's
        pointer names that one again (or goes: ``--resume`` writes it
        anew), and temporary files go.  Never raises: the committed run
        state and its checkpoint are intact whatever happens here.
        """
        try:
            committed = state["checkpoint"] if state["epochs_done"] else None
            files = self._epoch_files()
            n = int(committed.rsplit("-", 1)[1]) if committed else 0
            for k, paths in files.items():
                if k > n:
                    for p in paths:
                        os.unlink(p)
            self._remove_leftovers()
            kept = [os.path.basename(self.epoch_checkpoint(k)) for k in (n - 1, n)
                    if k in files and k > 0]
            try:
                if not kept:
                    raise OSError("no epoch checkpoint")
                from tf1repro.tfcompat import v1
                v1.train.update_checkpoint_state(self.folder, kept[-1],
                                                 all_model_checkpoint_paths=kept)
            except Exception:  # a full disk: the pointer goes, --resume writes it again
                try:
                    os.unlink(self.path("checkpoint"))
                except OSError:
                    pass
            self._remove_leftovers()
        except Exception:
            pass

    def commit(self, state, label):
        """Write the run state atomically: from here on it names the new checkpoint."""
        state = dict(state, format=STATE_FORMAT)
        write_json(self.state_path, state, pause=f"save {label} state-temp-written")
        test_point(f"save {label} committed")
