"""The notebook's session loop (In [21]), evaluation and checkpoints.

    result = train_and_evaluate(Config(epochs=2), data_dir, "checkpoints/m.ckpt")
    accs = evaluate("checkpoints/m.ckpt", data_dir)

Everything arrives as arguments; lines a person reads go through ``log``
(``print`` by default), exactly as the notebook printed them.
"""

import dataclasses
import json
import os
import time

import numpy as np

from tf1repro import __version__, graph
from tf1repro.config import LOOPS, Config, config_path
from tf1repro.data import read_data_sets
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


def run_epoch_feed_dict(sess, model, train_set, steps, batch_size):
    """In [21]'s inner loop as written: NumPy batches through ``feed_dict``.

    Returns the last batch and the loss of every step.
    """
    losses = np.empty(steps, np.float32)
    for step in range(steps):
        X_batch, y_batch = train_set.next_batch(batch_size)  # [batch, 784], [batch]
        _, _, losses[step] = sess.run(
            [model.training_op, model.extra_update_ops, model.loss],
            feed_dict={model.training: True, model.X: X_batch, model.y: y_batch})
    return X_batch, y_batch, losses


def run_epoch_in_graph(sess, in_graph, train_set, steps, batch_size):
    """The same steps, in the same ``next_batch`` order, in one ``Session.run``."""
    blocks = np.stack([train_set.next_batch_indices(batch_size) for _ in range(steps)])
    losses = sess.run(in_graph.step_losses, {in_graph.step_indices: blocks.astype(np.int32)})
    last = blocks[-1]
    return train_set.scale(train_set.pixels[last]), train_set.labels[last], losses


def train_and_evaluate(config, data_dir, checkpoint, log=print, datasets=None,
                       loop="in_graph", logdir=None, run_info=None):
    """Train ``config.epochs`` epochs as In [21] does, save, and return the run record.

    ``loop`` is ``in_graph`` (the default: the same steps, run by the graph
    a whole epoch per ``Session.run``) or ``feed_dict`` (In [21] as
    written).  The record (also written to ``metrics.json`` beside the
    checkpoint) holds the config, versions, per-epoch accuracies, mean loss
    and seconds, and the test accuracy.  ``logdir``, when given, receives a
    TensorBoard graph and per-epoch scalars.
    """
    if loop not in LOOPS:
        raise ValueError(f"loop must be one of {LOOPS}, not {loop!r}")
    if datasets is None:
        datasets = read_data_sets(data_dir, validation_size=config.validation_size,
                                  seed=config.seed)
    train_set, validation, test = datasets
    steps_per_epoch = train_set.num_examples // config.batch_size
    model = graph.build(config)
    in_graph = None
    if loop == "in_graph":
        in_graph = graph.add_in_graph_training(model, train_set.num_examples)
    os.makedirs(os.path.dirname(os.path.abspath(checkpoint)), exist_ok=True)

    record = {
        "config": dataclasses.asdict(config), "seed": config.seed, "loop": loop,
        "versions": {"tf1repro": __version__, "tensorflow": tf.__version__,
                     "numpy": np.__version__},
        **(run_info or {}),
        "epochs": [], "test_accuracy": None, "checkpoint": None,
    }
    writer = v1.summary.FileWriter(logdir, model.graph) if logdir else None
    with v1.Session(graph=model.graph, config=session_config()) as sess:
        sess.run(model.init)
        if in_graph is not None:
            sess.run(in_graph.load, {in_graph.pixels_init: train_set.pixels,
                                     in_graph.labels_init: train_set.labels})
        for epoch in range(config.epochs):
            start = time.perf_counter()
            if in_graph is not None:
                X_batch, y_batch, losses = run_epoch_in_graph(
                    sess, in_graph, train_set, steps_per_epoch, config.batch_size)
            else:
                X_batch, y_batch, losses = run_epoch_feed_dict(
                    sess, model, train_set, steps_per_epoch, config.batch_size)
            # Both with `training` left at its default, False: moving statistics.
            acc_train = sess.run(model.accuracy, {model.X: X_batch, model.y: y_batch})
            acc_valid = sess.run(model.accuracy, {model.X: validation.images,
                                                  model.y: validation.labels})
            entry = {"epoch": epoch, "batch_accuracy": float(acc_train),
                     "validation_accuracy": float(acc_valid),
                     "mean_loss": float(np.mean(losses)),
                     "seconds": time.perf_counter() - start}
            record["epochs"].append(entry)
            log(epoch_line(epoch, acc_train, acc_valid))
            if writer is not None:
                write_scalars(writer, epoch, entry)
        acc_test = sess.run(model.accuracy, {model.X: test.images, model.y: test.labels})
        log(test_line(acc_test))
        record["test_accuracy"] = float(acc_test)
        record["checkpoint"] = model.saver.save(sess, checkpoint)
    if writer is not None:
        writer.close()
    with open(config_path(checkpoint), "w") as f:
        f.write(config.to_json())
    with open(metrics_path(checkpoint), "w") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
    return record


def write_scalars(writer, epoch, entry):
    values = [v1.Summary.Value(tag=tag, simple_value=entry[tag])
              for tag in ("batch_accuracy", "validation_accuracy", "mean_loss")]
    writer.add_summary(v1.Summary(value=values), epoch)
    writer.flush()


def metrics_path(checkpoint):
    """The run record of a checkpoint: ``metrics.json`` in its folder."""
    return os.path.join(os.path.dirname(os.path.abspath(checkpoint)), "metrics.json")


def load_config(checkpoint):
    """The config a checkpoint was trained with (its ``config.json``)."""
    path = config_path(checkpoint)
    if not os.path.exists(checkpoint + ".index"):
        raise UserError(f"{checkpoint}: no such checkpoint (expected {checkpoint}.index); "
                        "train one with './run.sh train --checkpoint PATH'")
    try:
        with open(path) as f:
            return Config.from_dict(json.load(f))
    except (OSError, ValueError, TypeError) as e:
        raise UserError(f"{path}: cannot read the checkpoint's config ({e}); "
                        "it is written by 'train' beside the checkpoint") from None


def evaluate(checkpoint, data_dir, datasets=None):
    """Restore ``checkpoint`` into a fresh graph; return validation and test accuracy."""
    config = load_config(checkpoint)
    if datasets is None:
        datasets = read_data_sets(data_dir, validation_size=config.validation_size,
                                  seed=config.seed)
    model = graph.build(config)
    with v1.Session(graph=model.graph, config=session_config()) as sess:
        model.saver.restore(sess, checkpoint)
        acc_valid = sess.run(model.accuracy, {model.X: datasets.validation.images,
                                              model.y: datasets.validation.labels})
        acc_test = sess.run(model.accuracy, {model.X: datasets.test.images,
                                             model.y: datasets.test.labels})
    return {"validation_accuracy": float(acc_valid), "test_accuracy": float(acc_test)}


def checkpoint_variables(checkpoint):
    """(name, shape, trainable) for each variable a checkpoint holds, in graph order.

    Names and shapes come from the checkpoint's index; which are trainable
    from the ``.meta`` file's collections, read as data (nothing is imported
    into a graph or run).
    """
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow.core.framework import variable_pb2

    if not os.path.exists(checkpoint + ".index"):
        raise UserError(f"{checkpoint}: no such checkpoint (expected {checkpoint}.index)")
    try:
        shapes = dict(tf.train.list_variables(checkpoint))
    except Exception as e:  # corrupt index: TF raises a variety of errors
        raise UserError(f"{checkpoint}: cannot read the checkpoint ({str(e).splitlines()[0]})") from None

    order, trainable = list(shapes), set()
    meta = checkpoint + ".meta"
    if os.path.exists(meta):
        mg = meta_graph_pb2.MetaGraphDef()
        with open(meta, "rb") as f:
            mg.ParseFromString(f.read())

        def names(key):
            out = []
            for raw in mg.collection_def[key].bytes_list.value:
                vd = variable_pb2.VariableDef()
                vd.ParseFromString(raw)
                out.append(vd.variable_name.rsplit(":", 1)[0])
            return out

        graph_order = names("variables")
        trainable = set(names("trainable_variables"))
        order = [n for n in graph_order if n in shapes] + [n for n in order if n not in graph_order]
    return [(n, list(shapes[n]), n in trainable) for n in order]
