"""``tf.estimator.inputs``: input functions over NumPy arrays and pandas DataFrames.

    input_fn = numpy_input_fn({"x": x_train}, y_train, batch_size=32, num_epochs=None, shuffle=True)
    features, labels = input_fn()     # {"x": Tensor [32, ...]}, Tensor [32]

TF 1.12's arguments, checks and messages (``tensorflow/python/estimator/inputs/numpy_io.py``,
``pandas_io.py``); the batches are whole until the data runs out (``num_epochs=None``:
never), the last one of a finite run may be smaller, as TF 1.x's ``dequeue_up_to`` gave.
TF 1.x fed them through a queue and its threads; here a ``tf.data`` generator reads
the arrays (nothing is copied into the graph, so graph.pbtxt stays small).  Shuffled,
each epoch is one permutation drawn from the graph's seed (``tf_random_seed``):
the same seed gives the same order here, but not TF 1.x's order, which its queue
threads decided.
"""

import collections

import numpy as np

from tf1repro.estimator.spec import EstimatorError
from tf1repro.tfcompat import tf, v1

_SHUFFLE = ("shuffle must be provided and explicitly set as boolean (it is recommended to set it "
            "as True for training); got {}")


def numpy_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000,
                   num_threads=1):
    """An input function yielding ``(features, labels)`` batches of ``x`` (a dict of
    arrays, or one array) and ``y`` (an array, a dict of arrays, or None)."""
    if not isinstance(shuffle, bool):
        raise EstimatorError(_SHUFFLE.format(shuffle))
    if isinstance(x, dict):
        if not x:
            raise EstimatorError("x cannot be an empty dict")
        columns = collections.OrderedDict(sorted((k, np.asarray(v)) for k, v in x.items()))
        feature_keys = list(columns)
    else:
        x = np.asarray(x)
        if x.size == 0:
            raise EstimatorError("x cannot be an empty array")
        columns, feature_keys = collections.OrderedDict(__x=x), None
    target_keys = None
    if isinstance(y, dict):
        if not y:
            raise EstimatorError("y cannot be empty dict, use None instead.")
        duplicates = set(columns) & set(y)
        if duplicates:
            raise EstimatorError(f"{len(duplicates)} duplicate keys are found in both x and y: "
                                 f"{duplicates}")
        target_keys = sorted(y)
        columns.update((k, np.asarray(y[k])) for k in target_keys)
    elif y is not None:
        target_keys = "__target"
        columns[target_keys] = np.asarray(y)
    lengths = {len(value) for value in columns.values()}
    if len(lengths) != 1:
        raise EstimatorError("Length of tensors in x and y is mismatched. All elements in x and "
                             f"y must have the same length. Shapes: "
                             f"{ {k: v.shape for k, v in columns.items()} }")
    if batch_size <= 0:
        raise EstimatorError(f"batch_size must be > 0, got {batch_size}")
    length = lengths.pop()

    def input_fn():
        seed = v1.get_default_graph().seed
        batches = _batches(columns, length, batch_size, num_epochs, shuffle, seed)
        names = list(columns)
        dataset = tf.data.Dataset.from_generator(
            lambda: (tuple(batch[k] for k in names) for batch in batches()),
            output_signature=tuple(tf.TensorSpec([None] + list(columns[k].shape[1:]),
                                                 tf.as_dtype(columns[k].dtype)) for k in names))
        tensors = dict(zip(names, v1.data.make_one_shot_iterator(dataset).get_next()))
        if num_epochs is None:  # every batch is whole: TF 1.x's dequeue_many said so
            for tensor in tensors.values():
                tensor.set_shape([batch_size] + tensor.shape.as_list()[1:])
        features = (tensors["__x"] if feature_keys is None
                    else {k: tensors[k] for k in feature_keys})
        if target_keys is None:
            return features
        if isinstance(target_keys, str):
            return features, tensors[target_keys]
        return features, {k: tensors[k] for k in target_keys}
    return input_fn


def _batches(columns, length, batch_size, num_epochs, shuffle, seed):
    """A generator function over dicts of array slices: epochs back to back, cut
    into batches across their boundaries as TF 1.x's queue did."""
    def generate():
        rng = np.random.RandomState(seed)
        pending = np.empty(0, dtype=np.int64)
        epoch = 0
        while num_epochs is None or epoch < num_epochs:
            order = rng.permutation(length) if shuffle else np.arange(length)
            pending = np.concatenate([pending, order])
            epoch += 1
            while len(pending) >= batch_size:
                take, pending = pending[:batch_size], pending[batch_size:]
                yield {k: v[take] for k, v in columns.items()}
        if len(pending):
            yield {k: v[pending] for k, v in columns.items()}
    return generate


def pandas_input_fn(x, y=None, batch_size=128, num_epochs=1, shuffle=None, queue_capacity=1000,
                    num_threads=1, target_column="target"):
    """``numpy_input_fn`` over a DataFrame's columns (and a Series or DataFrame ``y``)."""
    if not isinstance(shuffle, bool):
        raise EstimatorError(_SHUFFLE.format(shuffle))
    if y is not None:
        if target_column in x:
            raise EstimatorError(f"Cannot use name {target_column} for target column: "
                                 f"DataFrame already has a column with that name: {x.columns}")
        if not np.array_equal(x.index, y.index):
            raise EstimatorError(f"Index for x and y are mismatched. Index for x: {x.index} "
                                 f"Index for y: {y.index}")
        y = ({c: y[c].values for c in y.columns} if hasattr(y, "columns") else y.values)
    return numpy_input_fn({c: x[c].values for c in x.columns}, y, batch_size, num_epochs,
                          shuffle, queue_capacity, num_threads)
