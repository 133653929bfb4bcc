"""The pieces of the session loop: thread pools, the notebook's lines, one epoch's steps.

    with v1.Session(config=session_config(threads)) as sess:
        X_batch, y_batch, losses = run_epoch_in_graph(sess, in_graph, train_set, steps, batch)
        print(epoch_line(epoch, acc_train, acc_valid))

``train.train_and_evaluate`` runs them; they are imported from ``train`` too.
"""

import contextlib
import os
import threading

import numpy as np

from tf1repro.errors import UserError
from tf1repro.tfcompat import tf, v1


def session_config(threads=None):
    # Fixed thread pools: with fixed seeds, one machine then gives the same
    # numbers run after run.  A seed sweep runs J trainings side by side and
    # gives each cores // J threads through TF1REPRO_THREADS.
    threads = threads or env_threads() or os.cpu_count() or 1
    # No GPU: the README's numbers are CPU numbers, and probing for CUDA on
    # a machine without it logs an error line.
    return v1.ConfigProto(intra_op_parallelism_threads=threads,
                          inter_op_parallelism_threads=threads,
                          device_count={"GPU": 0})


def env_threads():
    """``$TF1REPRO_THREADS`` as a thread count, or None when unset; UserError when not >= 1."""
    text = os.environ.get("TF1REPRO_THREADS", "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise UserError(f"TF1REPRO_THREADS={text!r}: expected a whole number >= 1 (threads a training uses)")
    return int(text)


def fmt(accuracy):
    """An accuracy as the notebook's ``print`` showed a float32: ``0.9448``."""
    # str(), not format(): NumPy formats a float32 via float64 (0.94480002...),
    # while str() gives the shortest repr that round-trips, as print() did.
    return str(np.float32(accuracy))


def epoch_line(epoch, acc_train, acc_valid):
    return f"{epoch} Batch accuracy: {fmt(acc_train)} Validation accuracy: {fmt(acc_valid)}"


def test_line(acc_test):
    return "\nTest accuracy: " + fmt(acc_test)


def run_epoch_feed_dict(sess, model, train_set, steps, batch_size, stop=None):
    """In [21]'s inner loop as written: NumPy batches through ``feed_dict``.

    Returns the last batch and the loss of every step.  The epoch ends early,
    ``losses`` cut to the steps run, when ``stop()`` answers before a step or
    when a step's loss is not finite.
    """
    losses = np.empty(steps, np.float32)
    X_batch = y_batch = None
    for step in range(steps):
        if stop is not None and stop():
            return X_batch, y_batch, losses[:step]
        X_batch, y_batch = train_set.next_batch(batch_size)  # [batch, 784], [batch]
        _, _, losses[step] = sess.run(
            [model.training_op, model.extra_update_ops, model.loss],
            feed_dict={model.training: True, model.X: X_batch, model.y: y_batch})
        if not np.isfinite(losses[step]):
            return X_batch, y_batch, losses[:step + 1]
    return X_batch, y_batch, losses


def run_epoch_in_graph(sess, in_graph, train_set, steps, batch_size):
    """The same steps, in the same ``next_batch`` order, in one ``Session.run``."""
    blocks = np.stack([train_set.next_batch_indices(batch_size) for _ in range(steps)])
    losses = sess.run(in_graph.step_losses, {in_graph.step_indices: blocks.astype(np.int32)})
    last = blocks[-1]
    return train_set.scale(train_set.pixels[last]), train_set.labels[last], losses


@contextlib.contextmanager
def quiet_event_thread():
    """Keep TensorBoard's writer thread from logging and printing its failure in the background.

    The thread stores the error, and the next ``flush`` raises it again:
    there it becomes the one line (``files.resource_errors``).
    """
    def drop(record):
        return "EventFileWriter writer thread error" not in record.getMessage()

    def hook(args):
        if type(args.thread).__name__ != "_EventLoggerThread":
            previous(args)

    previous = threading.excepthook
    tf.get_logger().addFilter(drop)
    threading.excepthook = hook
    try:
        yield
    finally:
        tf.get_logger().removeFilter(drop)
        threading.excepthook = previous


def write_scalars(writer, epoch, entry):
    values = [v1.Summary.Value(tag=tag, simple_value=entry[tag])
              for tag in ("batch_accuracy", "validation_accuracy", "mean_loss")]
    writer.add_summary(v1.Summary(value=values), epoch)
    writer.flush()
