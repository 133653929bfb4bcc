"""The notebook's session loop (In [21]), evaluation and checkpoints.

    result = train_and_evaluate(Config(epochs=2), data_dir, "checkpoints/m.ckpt")
    accs = evaluate("checkpoints/m.ckpt", data_dir)

Everything arrives as arguments; lines a person reads go through ``log``
(``print`` by default), exactly as the notebook printed them.
"""

import contextlib
import dataclasses
import json
import os
import shlex
import time

import numpy as np

from tf1repro import __version__, files
from tf1repro.runs import checkpointing
from tf1repro.runs.loops import (env_threads, epoch_line, fmt, quiet_event_thread,  # noqa: F401
                                 run_epoch_feed_dict, run_epoch_in_graph, session_config,
                                 test_line, write_scalars)
from tf1repro.runs.stopping import Diverged, Interrupted, RunLog, signal_name
from tf1repro.cells import graph
from tf1repro.cells.config import LOOPS, config_path
from tf1repro.data.datasets import read_data_sets
from tf1repro.errors import UserError
from tf1repro.runs.inspect_checkpoint import check_checkpoint, first_line, load_config
from tf1repro.tfcompat import tf, v1


def train_and_evaluate(config, data_dir, checkpoint, log=print, datasets=None,
                       loop=LOOPS[0], logdir=None, run_info=None, resume=None, stop=None,
                       run_dir=None, threads=None):
    """Train ``config.epochs`` epochs as In [21] does, save, and return the run record.

    ``loop`` is ``xla`` (the default: the same steps, run by the graph a
    whole epoch per ``Session.run``, compiled by XLA), ``in_graph`` (the
    same without XLA: bit-identical to ``feed_dict``) or ``feed_dict``
    (In [21] as written).  The record (also written to ``metrics.json`` beside the
    checkpoint) holds the config, versions, per-epoch accuracies, mean loss
    and seconds, and the test accuracy.  ``logdir``, when given, receives a
    TensorBoard graph and per-epoch scalars.

    After every epoch the model (``epoch.ckpt-N``) and the run state (epochs
    done, data order, records, log) are saved beside ``checkpoint``; see
    ``checkpointing``.  ``resume``, a run state (``RunDir.load_state()``),
    continues that run from its last saved epoch, printing and computing
    what the run would have without the interruption.  ``stop`` (such as
    ``checkpointing.StopOnSignals()``) is asked between ``Session.run``
    calls, so once an epoch in the in-graph loop and before every step in
    the feed_dict one; when it answers, ``Interrupted`` is
    raised, the last complete epoch saved.  A non-finite loss raises
    ``Diverged``; a full disk, an I/O error or exhausted memory
    ``files.ResourceError``, the folder put back to its last committed epoch
    (free space is checked before the first one).  ``run_dir``: the ``RunDir`` of
    ``checkpoint``, prepared (locked) by the caller, or None to take it here.
    ``threads``: TensorFlow's thread pools (``loops.session_config``).
    """
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {LOOPS}, not {loop!r}")
    own_dir = run_dir is None
    if own_dir:
        run_dir = checkpointing.RunDir(checkpoint).prepare()
    try:
        return _train(config, data_dir, checkpoint, log, datasets, loop, logdir, run_info,
                      resume, stop, run_dir, threads)
    finally:
        if own_dir:
            run_dir.release()


def _train(config, data_dir, checkpoint, log, datasets, loop, logdir, run_info, resume, stop,
           run_dir, threads):
    runlog = log if isinstance(log, RunLog) else RunLog(log)
    done = resume["epochs_done"] if resume else 0  # 0: nothing to restore, start over
    if datasets is None:
        datasets = read_data_sets(data_dir, validation_size=config.validation_size,
                                  seed=config.seed)
    train_set, validation, test = datasets
    n_train = train_set.num_examples
    if not 1 <= config.batch_size <= n_train:
        raise UserError(f"batch size {config.batch_size} is out of range for a training set "
                        f"of {n_train} examples: use 1 .. {n_train}")
    steps_per_epoch = n_train // config.batch_size
    model = graph.build(config)
    in_graph = None
    if loop in ("xla", "in_graph"):
        in_graph = graph.add_in_graph_training(model, n_train, jit_compile=loop == "xla")
    with model.graph.as_default():
        # Two: while epoch N+1 is written, the run state still names epoch N.
        # No .meta: restoring builds the graph from code, and it costs more
        # than the checkpoint itself.
        epoch_saver = v1.train.Saver(max_to_keep=2, save_relative_paths=True)
    saved = run_dir.path(resume["checkpoint"]) if done else None
    if saved:
        check_checkpoint(saved, config, model, source="its run state")

    resumes = list(resume.get("resumes", [])) + [done] if done else []
    record = {
        "config": dataclasses.asdict(config), "seed": config.seed, "loop": loop,
        "versions": {"tf1repro": __version__, "tensorflow": tf.__version__,
                     "numpy": np.__version__},
        **(run_info or {}),
        "epochs": list(resume["epochs"]) if done else [], "resumed_after_epochs": resumes,
        "test_accuracy": None, "checkpoint": None,
    }
    run_dir.check_space(**_checkpoint_sizes(model, train_set))
    writer = None
    quiet = contextlib.ExitStack()
    state = None  # the last committed run state, once this run owns the folder
    try:
        with v1.Session(graph=model.graph, config=session_config(threads)) as sess:
            sess.run(model.init)
            if saved:
                _restore(model.saver, sess, saved)
                train_set.set_state(resume["data_state"])
            if in_graph is not None:
                with files.resource_errors("loading the training set into the graph"):
                    sess.run(in_graph.load, {in_graph.pixels_init: train_set.pixels,
                                             in_graph.labels_init: train_set.labels})
            # Every check has passed: from here on this run owns the folder.
            if saved:
                epoch_saver.recover_last_checkpoints(run_dir.start_resumed(saved))
            else:
                run_dir.start_fresh()
            first = {"config": dataclasses.asdict(config), "loop": loop, "data_dir": data_dir,
                     "logdir": logdir, "resumes": resumes, "epochs_done": done,
                     "checkpoint": resume["checkpoint"] if done else None,
                     "data_state": train_set.get_state(), "epochs": list(record["epochs"]),
                     "log": list(runlog.lines), "finished": False, "test_accuracy": None}
            if not done:
                # The seed and flags, saved before the first epoch: --resume after
                # an early interruption starts over with them.
                run_dir.commit(first, "start")
            state = first  # committed: from here on a failure keeps it and says so
            files.write_atomic(config_path(checkpoint), config.to_json())
            runlog.attach(run_dir.log_path)
            if logdir:
                with files.resource_errors(f"writing TensorBoard events to {logdir}"):
                    writer = v1.summary.FileWriter(logdir, model.graph)
                quiet.enter_context(quiet_event_thread())
            for entry in record["epochs"]:  # the epochs before the interruption, as printed
                runlog.echo(epoch_line(entry["epoch"], entry["batch_accuracy"],
                                       entry["validation_accuracy"]))
            for epoch in range(done, config.epochs):
                _check_stop(stop, state, config, runlog, run_dir, f"before epoch {epoch}")
                checkpointing.test_point(f"epoch {epoch} start", sleep=False)
                start = time.perf_counter()
                with files.resource_errors(f"training epoch {epoch}"):  # out of memory
                    if in_graph is not None:
                        X_batch, y_batch, losses = run_epoch_in_graph(
                            sess, in_graph, train_set, steps_per_epoch, config.batch_size)
                    else:
                        X_batch, y_batch, losses = run_epoch_feed_dict(
                            sess, model, train_set, steps_per_epoch, config.batch_size, stop)
                _check_losses(losses, epoch, steps_per_epoch, state, config, runlog, run_dir)
                if len(losses) < steps_per_epoch:
                    _check_stop(stop, state, config, runlog, run_dir,
                                f"in epoch {epoch} at step {len(losses)} of {steps_per_epoch} "
                                "(that epoch runs again)")
                with files.resource_errors(f"evaluating epoch {epoch}"):
                    # Both with `training` left at its default, False: moving statistics.
                    acc_train = sess.run(model.accuracy, {model.X: X_batch, model.y: y_batch})
                    acc_valid = sess.run(model.accuracy, {model.X: validation.images,
                                                          model.y: validation.labels})
                entry = {"epoch": epoch, "batch_accuracy": float(acc_train),
                         "validation_accuracy": float(acc_valid),
                         "mean_loss": float(np.mean(losses)),
                         "seconds": time.perf_counter() - start}
                record["epochs"].append(entry)
                line = epoch_line(epoch, acc_train, acc_valid)
                # The line is printed once its epoch is saved: a run killed in
                # between prints it again when resumed, never twice in run.log.
                path = run_dir.save(epoch_saver, sess, run_dir.epoch_prefix, epoch + 1,
                                    global_step=epoch + 1, write_meta_graph=False)
                # `state` stays the committed one until the commit is done.
                new = dict(state, epochs_done=epoch + 1, checkpoint=os.path.basename(path),
                           data_state=train_set.get_state(), epochs=list(record["epochs"]),
                           log=runlog.lines + [line])
                run_dir.commit(new, epoch + 1)
                state = new
                runlog(line)
                if writer is not None:
                    with files.resource_errors(f"writing TensorBoard events to {logdir}"):
                        write_scalars(writer, epoch, entry)
            _check_stop(stop, state, config, runlog, run_dir, "before the test accuracy")
            with files.resource_errors("computing the test accuracy"):
                acc_test = sess.run(model.accuracy, {model.X: test.images, model.y: test.labels})
            record["test_accuracy"] = float(acc_test)
            record["checkpoint"] = run_dir.save(model.saver, sess, checkpoint, "final")
        if writer is not None:
            with files.resource_errors(f"writing TensorBoard events to {logdir}"):
                writer.close()
        files.write_json(metrics_path(checkpoint), record)
        line = test_line(acc_test)
        run_dir.commit(dict(state, finished=True, test_accuracy=float(acc_test),
                            log=runlog.lines + [line]), "final")
    except files.ResourceError as e:
        if state is None:  # no run state of this run yet: running it again is the remedy
            raise
        run_dir.abandon(state)
        _stop_with(files.ResourceError(
            e.cause, e.doing, e.advice,
            message=f"{e.cause} while {e.doing}{_needs(e, run_dir)}; {_kept(state, config)}; "
                    f"{e.advice}, then: ./run.sh train --resume --checkpoint "
                    f"{shlex.quote(run_dir.checkpoint)}"), state, runlog, run_dir)
    finally:
        if writer is not None:
            try:
                writer.close()  # a second time does nothing
            except Exception:
                pass  # already reported, or a failure that is
        quiet.close()
    runlog(line)
    return record


def _checkpoint_sizes(model, train_set):
    """Bytes of an epoch checkpoint, the final save and the run state, for ``RunDir.check_space``."""
    with model.graph.as_default():
        variables = sum(v.shape.num_elements() * v.dtype.base_dtype.size
                        for v in v1.global_variables())
        meta = model.saver.export_meta_graph().ByteSize()
    index = 4 << 10  # names, shapes and offsets: under 1 KB for this graph
    state = len(json.dumps(train_set.get_state())) + (64 << 10)  # + config, records, log
    return {"epoch_bytes": variables + index, "final_bytes": variables + index + meta,
            "state_bytes": state}


def _needs(error, run_dir):
    if error.cause != "no space left on device" or not run_dir.epoch_bytes \
            or not error.doing.startswith("saving epoch"):
        return ""
    return f" (an epoch needs about {files.megabytes(run_dir.epoch_bytes)} there)"


def _kept(state, config):
    n = state["epochs_done"]
    if not n:
        return "no epoch was complete, so no checkpoint is kept"
    return (f"kept the checkpoint of epochs 0-{n - 1} of {config.epochs} "
            f"({state['checkpoint']})")


def _stop_with(error, state, runlog, run_dir):
    """Raise ``error`` with its line added to the log of the last good run state."""
    line = (f"# {error}" if isinstance(error, Interrupted)
            else f"tf1repro: error: {error}")
    # The state is the last committed one plus this line: run.log keeps it
    # when the run resumes.
    state["log"] = runlog.lines + [line]
    try:
        run_dir.commit(state, "stop")
    except files.ResourceError:
        pass  # the disk that stopped the run: the run state of the last epoch stays
    runlog.note(line)
    raise error


def _check_stop(stop, state, config, runlog, run_dir, where):
    signum = stop() if stop is not None else None
    if not signum:
        return
    _stop_with(Interrupted(
        signum, f"stopped by {signal_name(signum)} {where}; {_kept(state, config)}; "
                f"resume with: ./run.sh train --resume --checkpoint {shlex.quote(run_dir.checkpoint)}"),
        state, runlog, run_dir)


def _check_losses(losses, epoch, steps, state, config, runlog, run_dir):
    bad = np.flatnonzero(~np.isfinite(losses))  # [non-finite steps]
    if bad.size:
        step = int(bad[0])
        _stop_with(Diverged(
            f"training diverged: the loss is {losses[step]} at epoch {epoch}, step {step} "
            f"(steps count from 0, {steps} an epoch); stopped; {_kept(state, config)}; "
            f"try a smaller --learning-rate than {config.learning_rate:g}"), state, runlog, run_dir)


def _restore(saver, sess, checkpoint):
    """``saver.restore`` into a graph built from code: the checkpoint is only ever data."""
    try:
        saver.restore(sess, checkpoint)
    except (tf.errors.OpError, ValueError, MemoryError) as e:
        machine = files.resource_error(e, f"reading the checkpoint {checkpoint}", reading=True)
        if machine is not None:
            raise machine from None
        raise UserError(f"{checkpoint}: cannot restore it ({first_line(e)}); "
                        "the checkpoint is damaged or incomplete") from None


def metrics_path(checkpoint):
    """The run record of a checkpoint: ``metrics.json`` in its folder."""
    return os.path.join(os.path.dirname(os.path.abspath(checkpoint)), "metrics.json")


def evaluate(checkpoint, data_dir, datasets=None):
    """Restore ``checkpoint`` into a fresh graph; return validation and test accuracy."""
    config = load_config(checkpoint)
    model = graph.build(config)
    check_checkpoint(checkpoint, config, model)
    if datasets is None:
        datasets = read_data_sets(data_dir, validation_size=config.validation_size,
                                  seed=config.seed)
    with v1.Session(graph=model.graph, config=session_config()) as sess:
        _restore(model.saver, sess, checkpoint)
        acc_valid = sess.run(model.accuracy, {model.X: datasets.validation.images,
                                              model.y: datasets.validation.labels})
        acc_test = sess.run(model.accuracy, {model.X: datasets.test.images,
                                             model.y: datasets.test.labels})
    return {"validation_accuracy": float(acc_valid), "test_accuracy": float(acc_test)}
