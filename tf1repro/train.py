"""The notebook's session loop (In [21]), evaluation and checkpoints.

    result = train_and_evaluate(Config(epochs=2), data_dir, "checkpoints/m.ckpt")
    accs = evaluate("checkpoints/m.ckpt", data_dir)

Everything arrives as arguments; lines a person reads go through ``log``
(``print`` by default), exactly as the notebook printed them.
"""

import os

import numpy as np

from tf1repro import graph
from tf1repro.config import Config, config_path
from tf1repro.data import read_data_sets
from tf1repro.errors import UserError
from tf1repro.tfcompat import tf, v1


def session_config(threads=None):
    # Fixed thread pools: with fixed seeds, one machine then gives the same
    # numbers run after run.
    threads = threads or os.cpu_count() or 1
    # No GPU: the README's numbers are CPU numbers, and probing for CUDA on
    # a machine without it logs an error line.
    return v1.ConfigProto(intra_op_parallelism_threads=threads,
                          inter_op_parallelism_threads=threads,
                          device_count={"GPU": 0})


def fmt(accuracy):
    """An accuracy as the notebook's ``print`` showed a float32: ``0.9448``."""
    # str(), not format(): NumPy formats a float32 via float64 (0.94480002...),
    # while str() gives the shortest repr that round-trips, as print() did.
    return str(np.float32(accuracy))


def epoch_line(epoch, acc_train, acc_valid):
    return f"{epoch} Batch accuracy: {fmt(acc_train)} Validation accuracy: {fmt(acc_valid)}"


def test_line(acc_test):
    return "\nTest accuracy: " + fmt(acc_test)


def train_and_evaluate(config, data_dir, checkpoint, log=print, datasets=None):
    """Train ``config.epochs`` epochs as In [21] does, save, and return the figures.

    Returns a dict with the per-epoch ``batch_accuracy`` and
    ``validation_accuracy`` lists, ``test_accuracy`` and ``checkpoint``.
    """
    if datasets is None:
        datasets = read_data_sets(data_dir, validation_size=config.validation_size,
                                  seed=config.seed)
    train_set = datasets.train
    steps_per_epoch = train_set.num_examples // config.batch_size
    model = graph.build(config)
    os.makedirs(os.path.dirname(os.path.abspath(checkpoint)), exist_ok=True)

    history = {"batch_accuracy": [], "validation_accuracy": []}
    with v1.Session(graph=model.graph, config=session_config()) as sess:
        sess.run(model.init)
        for epoch in range(config.epochs):
            for _ in range(steps_per_epoch):
                X_batch, y_batch = train_set.next_batch(config.batch_size)  # [200, 784], [200]
                sess.run([model.training_op, model.extra_update_ops],
                         feed_dict={model.training: True, model.X: X_batch, model.y: y_batch})
            acc_train = sess.run(model.accuracy, {model.X: X_batch, model.y: y_batch})
            acc_valid = sess.run(model.accuracy, {model.X: datasets.validation.images,
                                                  model.y: datasets.validation.labels})
            history["batch_accuracy"].append(float(acc_train))
            history["validation_accuracy"].append(float(acc_valid))
            log(epoch_line(epoch, acc_train, acc_valid))
        acc_test = sess.run(model.accuracy, {model.X: datasets.test.images,
                                             model.y: datasets.test.labels})
        log(test_line(acc_test))
        save_path = model.saver.save(sess, checkpoint)
    with open(config_path(checkpoint), "w") as f:
        f.write(config.to_json())
    return dict(history, test_accuracy=float(acc_test), checkpoint=save_path)


def load_config(checkpoint):
    """The config a checkpoint was trained with (its ``config.json``)."""
    path = config_path(checkpoint)
    if not os.path.exists(checkpoint + ".index"):
        raise UserError(f"{checkpoint}: no such checkpoint (expected {checkpoint}.index); "
                        "train one with './run.sh train --checkpoint PATH'")
    try:
        import json
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
