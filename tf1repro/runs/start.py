"""Start or resume one run: the entry point of ``train``, of sweeps (in or out of Ray), of bench.

    record = train("checkpoints/m.ckpt", {"epochs": 2, "seed": 1})
    record = train("checkpoints/m.ckpt", {}, resume=True)       # the saved run's flags

``overrides`` holds only what the caller chose, as ``Config`` fields
(``epochs``, ``batch_size``, ``learning_rate``, ``seed``, ``variant``,
``batch_norm``); one left out (or None) is the default for a fresh run and
the saved run's on ``resume``, where one given must agree with it (``epochs``
may grow).  ``data_dir``, ``loop`` and ``logdir`` follow the same rule.  The
run folder's lock is taken first, before TensorFlow loads; the run's record
(``metrics.json``) is returned.  Failures are the package's errors, each with
its exit code: ``UserError`` (2), ``checkpointing.Diverged`` (3),
``files.ResourceError`` (4), ``checkpointing.Interrupted`` (128 + signal).
"""

import contextlib
import dataclasses
import os
import secrets

from tf1repro.cells.config import LOOPS, Config
from tf1repro.errors import UserError
from tf1repro.runs import checkpointing
from tf1repro.runs.stopping import Diverged, RunLog, StopOnSignals
from tf1repro import files

DEFAULTS = Config()
# Loops that compute bit for bit the same, so a run may resume in the other.
BIT_IDENTICAL_LOOPS = {"in_graph", "feed_dict"}
# The overrides that fix the numbers a run computes, and their train flags (for messages).
RESUME_FLAGS = (("seed", "--seed"), ("batch_size", "--batch-size"),
                ("learning_rate", "--learning-rate"), ("variant", "--variant"),
                ("batch_norm", "--no-batch-norm"))
FIELDS = ("epochs",) + tuple(field for field, _ in RESUME_FLAGS)


def train(checkpoint, overrides=None, resume=False, log=print, data_dir=None, loop=None,
          logdir=None, threads=None, stop=None, after=None):
    """Train (or with ``resume`` continue) the run saved at ``checkpoint``; return its record.

    ``log`` receives the lines a person reads (they go to ``run.log`` too);
    ``threads``: TensorFlow's thread pools (default ``$TF1REPRO_THREADS``, else
    every core); ``stop`` is asked between ``Session.run`` calls (default:
    SIGINT and SIGTERM stop at the next boundary, ``StopOnSignals``).
    ``after(record, log)``, when given, runs once the run is saved, its lines
    in ``run.log`` too, the folder still locked (``train --plot``).
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    unknown = set(overrides) - set(FIELDS)
    if unknown:
        raise ValueError(f"overrides may hold {', '.join(FIELDS)}, not {', '.join(sorted(unknown))}")
    if loop is not None and loop not in LOOPS:
        raise ValueError(f"loop must be one of {LOOPS}, not {loop!r}")
    # The checkpoint folder first, before TensorFlow loads: a bad path or a
    # folder another train is writing into is reported at once.
    run_dir = checkpointing.RunDir(checkpoint).prepare()
    try:
        return _train_in(run_dir, checkpoint, overrides, resume, log, data_dir, loop, logdir,
                         threads, stop, after)
    finally:
        run_dir.release()


def resumed_config(saved, overrides, folder):
    """The saved run's config with ``overrides``, which must agree with it; else UserError."""
    config = Config.from_dict(saved["config"])
    conflicts = []
    for field, flag in RESUME_FLAGS:
        value = overrides.get(field)
        if value is None or value == getattr(config, field):
            continue
        was = getattr(config, field)
        if field == "batch_norm":
            conflicts.append("batch norm" if was else "--no-batch-norm")
        else:
            conflicts.append(f"{flag} {was}, not {value}")
    if conflicts:
        raise UserError(f"cannot resume the run in {folder}: it was trained with "
                        f"{'; '.join(conflicts)}; resume with its flags (or leave them out), "
                        "or train into another --checkpoint folder")
    if "epochs" in overrides:
        epochs = overrides["epochs"]
        if epochs < saved["epochs_done"]:
            raise UserError(f"cannot resume the run in {folder} with --epochs {epochs}: it "
                            f"has done {saved['epochs_done']} epochs already; give --epochs "
                            f"{saved['epochs_done']} or more, or leave it out")
        config = dataclasses.replace(config, epochs=epochs)
    return config


def _resumed(run_dir, saved, overrides, loop, logdir, data_dir):
    """Config, loop, logdir, data folder and notes of a resumed run."""
    folder = run_dir.folder
    config = resumed_config(saved, overrides, folder)
    was = saved.get("loop", loop or LOOPS[0])
    if loop is not None and loop != was:
        if not {loop, was} <= BIT_IDENTICAL_LOOPS:
            raise UserError(f"cannot resume the run in {folder}: it was trained with "
                            f"--loop {was}, not {loop}, and XLA's arithmetic differs in "
                            "the last bits; resume with its loop (or leave --loop out)")
        was = loop
    done = saved["epochs_done"]
    if not done:
        note = (f"# resume: no epoch of the run in {folder} was saved yet; "
                "starting from the beginning, with its flags")
    elif done == config.epochs:
        note = (f"# resume: the run in {folder} has done all {done} epochs; "
                "testing and saving it again")
    else:
        note = (f"# resume: epochs 0-{done - 1} of the run in {folder} are saved "
                f"({saved['checkpoint']}); continuing with epoch {done} of {config.epochs}")
    return (config, was, logdir if logdir is not None else saved.get("logdir"),
            data_dir if data_dir is not None else saved.get("data_dir"), [note])


def _fresh(run_dir, overrides, resume):
    """Config and notes of a run started afresh."""
    notes = []
    if resume:
        notes.append(f"# resume: nothing was saved in {run_dir.folder} yet; "
                     "starting from the beginning")
    else:
        try:
            old = run_dir.load_state()
        except UserError:
            old = None
        if old and old["epochs_done"] and not old.get("finished"):
            notes.append(f"# note: replacing the unfinished run in {run_dir.folder} "
                         f"({old['epochs_done']} of {old['config'].get('epochs')} epochs saved); "
                         "--resume would have continued it")
    seed = overrides.get("seed")
    config = dataclasses.replace(DEFAULTS, **dict(
        overrides, seed=seed if seed is not None else secrets.randbelow(2**31)))
    return config, notes


def provision(data_dir, log):
    """The data folder (given, else the default) with MNIST in it, and where it came from."""
    from tf1repro.data.provision import default_data_dir, ensure_mnist
    data_dir = os.path.expanduser(data_dir or default_data_dir())
    source = ensure_mnist(data_dir, log=lambda line: log(f"# {line}"))
    return data_dir, source


def _train_in(run_dir, checkpoint, overrides, resume, log, data_dir, loop, logdir, threads, stop, after):
    saved = run_dir.load_state() if resume else None
    if saved is not None:
        config, loop, logdir, data_dir, notes = _resumed(run_dir, saved, overrides, loop, logdir,
                                                         data_dir)
    else:
        config, notes = _fresh(run_dir, overrides, resume)
        loop = loop or LOOPS[0]

    import numpy as np
    from tf1repro.cells import graph
    from tf1repro.runs import inspect_checkpoint, train as training
    from tf1repro.runtime import releases
    from tf1repro.tfcompat import tf

    if saved is not None and saved["epochs_done"]:
        # Before the data: a checkpoint that does not fit is refused at once.
        inspect_checkpoint.check_checkpoint(run_dir.path(saved["checkpoint"]), config,
                                            source="its run state")
    runlog = RunLog(log, history=saved["log"] if saved is not None else ())
    runlog(f"# tf1repro: notebook cell In [{config.variant[4:]}] on TensorFlow {tf.__version__} "
           f"(tf.compat.v1 graph mode), NumPy {np.__version__}")
    release = graph.release()
    why = ("$TF1REPRO_TF1_RELEASE" if os.environ.get(releases.ENV, "").strip()
           else "the seed notebook's: its In [22] lists beta before gamma")
    runlog(f"# TF 1.x release: {release.name} ({why}); the kernels draw what TF 1.x's seed "
           "rule gave the cell")
    for note in notes:
        runlog(note)
    data_dir, source = provision(data_dir, runlog)
    runlog(f"# data: {data_dir} ({source})")
    runlog(f"# seed: {config.seed} (repeat with --seed {config.seed}); {config.epochs} epochs, "
           f"batch {config.batch_size}, learning rate {config.learning_rate}, {loop} loop"
           + ("" if config.batch_norm else ", no batch norm"))
    with StopOnSignals() if stop is None else contextlib.nullcontext(stop) as stop:
        try:
            record = training.train_and_evaluate(
                config, data_dir, checkpoint, log=runlog, loop=loop, logdir=logdir,
                run_info={"data": {"dir": data_dir, "source": source},
                          "tf1_release": release.name},
                resume=saved, stop=stop, run_dir=run_dir, threads=threads)
        except (Diverged, files.ResourceError):  # in run.log when it could be
            raise
        except UserError as e:
            runlog.note(f"tf1repro: error: {e}")
            raise
    runlog(f"# saved {record['checkpoint']}")
    if after is not None:
        after(record, runlog)
    return record

