"""``tf.contrib.learn`` as the 2016-2017 tutorials used it: ``DNNClassifier`` with
``fit(x, y, steps)`` / ``evaluate`` / ``predict``, ``SKCompat``,
``infer_real_valued_columns_from_input``, and ``tf.contrib.layers.real_valued_column``.

    columns = infer_real_valued_columns_from_input(x_train)     # [real_valued_column("", 4)]
    classifier = SKCompat(DNNClassifier([10, 20, 10], columns, n_classes=3))
    classifier.fit(x_train, y_train, steps=200)

TF 1.12's ``tensorflow/contrib/learn/python/learn/estimators/`` (``dnn.py``,
``head.py``, ``estimator.py``): contrib's variable names
(``dnn/hiddenlayer_0/weights``, ``.../biases``, ``dnn/logits/weights``), a mean loss
(contrib's heads averaged; the core heads sum), metrics ``loss`` and ``accuracy`` (and
``auc`` for two classes), predictions ``classes``, ``probabilities``, ``logits``.  An
array ``x`` is the feature ``""``; ``fit(x, y)`` without ``batch_size`` trains on all of
``x`` each step, shuffled, as contrib's data feeder did.
"""

import collections
import csv

import numpy as np

from tf1repro.estimator.canned import optimizer_instance
from tf1repro.estimator.estimator import Estimator
from tf1repro.estimator.inputs import numpy_input_fn
from tf1repro.estimator.spec import EstimatorError, EstimatorSpec, ModeKeys
from tf1repro.runtime.contrib_layers import fully_connected
from tf1repro.tfcompat import tf, v1


def real_valued_column(column_name, dimension=1, default_value=None, dtype=tf.float32,
                       normalizer=None):
    """contrib's dense column: ``dimension`` floats under ``column_name``."""
    return v1.feature_column.numeric_column(column_name, shape=(dimension,),
                                            default_value=default_value, dtype=dtype,
                                            normalizer_fn=normalizer)


def infer_real_valued_columns_from_input(x):
    """One real-valued column per feature of ``x`` (an array: the feature ``""``)."""
    arrays = x if isinstance(x, dict) else {"": x}
    return [real_valued_column(name, int(np.prod(np.shape(value)[1:], dtype=np.int64)),
                               dtype=tf.as_dtype(np.asarray(value).dtype))
            for name, value in sorted(arrays.items())]


def _model_fn(features, labels, mode, params):
    n_classes = params["n_classes"]
    if not isinstance(features, dict):
        features = {"": features}
    with v1.variable_scope("dnn", values=tuple(features.values()),
                           partitioner=v1.min_max_variable_partitioner(max_partitions=0)):
        with v1.variable_scope("input_from_feature_columns", partitioner=(
                v1.min_max_variable_partitioner(max_partitions=0, min_slice_size=64 << 20))):
            net = v1.feature_column.input_layer(features, params["feature_columns"])
        for layer_id, width in enumerate(params["hidden_units"]):
            with v1.variable_scope(f"hiddenlayer_{layer_id}", values=(net,)) as scope:
                net = fully_connected(net, width, activation_fn=params["activation_fn"],
                                      variables_collections=["dnn"], scope=scope)
                if params["dropout"] is not None and mode == ModeKeys.TRAIN:
                    net = tf.nn.dropout(net, rate=params["dropout"])
        with v1.variable_scope("logits", values=(net,)) as scope:
            logits = fully_connected(net, 1 if n_classes == 2 else n_classes,
                                     activation_fn=None, variables_collections=["dnn"],
                                     scope=scope)
    if n_classes == 2:
        logistic = tf.sigmoid(logits)
        probabilities = tf.concat([1 - logistic, logistic], axis=1)
        classes = tf.reshape(tf.cast(tf.greater(logistic, 0.5), tf.int64), [-1])
    else:
        probabilities = tf.nn.softmax(logits)
        classes = tf.argmax(logits, 1)
    predictions = {"classes": classes, "probabilities": probabilities, "logits": logits}
    if mode == ModeKeys.PREDICT:
        return EstimatorSpec(mode, predictions=predictions)
    labels = tf.reshape(tf.cast(labels, tf.int64), [-1])
    if n_classes == 2:
        unreduced = tf.nn.sigmoid_cross_entropy_with_logits(
            labels=tf.cast(tf.reshape(labels, [-1, 1]), tf.float32), logits=logits)
    else:
        unreduced = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    loss = tf.reduce_mean(unreduced, name="training_loss")
    if mode == ModeKeys.EVAL:
        metrics = {"accuracy": v1.metrics.accuracy(labels, classes)}
        if n_classes == 2:
            metrics["auc"] = v1.metrics.auc(labels, logistic)
        return EstimatorSpec(mode, predictions=predictions, loss=loss, eval_metric_ops=metrics)
    optimizer = optimizer_instance(params["optimizer"] or "Adagrad", 0.05)
    train_op = optimizer.minimize(loss, global_step=v1.train.get_global_step())
    return EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=train_op)


def _x_input(x, y, input_fn, batch_size, shuffle, epochs):
    if input_fn is not None:
        if x is not None or y is not None:
            raise EstimatorError("Either x or input_fn must be provided, not both.")
        if batch_size is not None:
            raise EstimatorError("Can not provide both input_fn and batch_size.")
        return input_fn
    if x is None:
        raise EstimatorError("Either x or input_fn must be provided.")
    size = len(x) if not isinstance(x, dict) else len(next(iter(x.values())))
    return numpy_input_fn(x, None if y is None else np.asarray(y), batch_size or size,
                          num_epochs=epochs, shuffle=shuffle)


class DNNClassifier:
    """``tf.contrib.learn.DNNClassifier``: a feed-forward classifier with contrib's API."""

    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2,
                 weight_column_name=None, optimizer=None, activation_fn=tf.nn.relu,
                 dropout=None, gradient_clip_norm=None, enable_centered_bias=False,
                 config=None, feature_engineering_fn=None, embedding_lr_multipliers=None,
                 input_layer_min_slice_size=None, label_keys=None):
        for name, value in (("weight_column_name", weight_column_name),
                            ("gradient_clip_norm", gradient_clip_norm),
                            ("feature_engineering_fn", feature_engineering_fn),
                            ("embedding_lr_multipliers", embedding_lr_multipliers),
                            ("label_keys", label_keys)):
            if value is not None:
                raise EstimatorError(f"tf.contrib.learn.DNNClassifier({name}=...) is not "
                                     "supported by tf1repro")
        if enable_centered_bias:
            raise EstimatorError("tf.contrib.learn.DNNClassifier(enable_centered_bias=True) is "
                                 "not supported by tf1repro")
        if not isinstance(n_classes, int) or n_classes < 2:
            raise EstimatorError(f"n_classes must be > 1 for classification: {n_classes}")
        self._estimator = Estimator(_model_fn, model_dir=model_dir, config=config, params={
            "n_classes": n_classes, "hidden_units": list(hidden_units),
            "feature_columns": tuple(feature_columns), "optimizer": optimizer,
            "activation_fn": activation_fn, "dropout": dropout})

    model_dir = property(lambda self: self._estimator.model_dir)
    config = property(lambda self: self._estimator.config)

    def get_variable_names(self):
        return self._estimator.get_variable_names()

    def get_variable_value(self, name):
        return self._estimator.get_variable_value(name)

    def fit(self, x=None, y=None, input_fn=None, steps=None, batch_size=None, monitors=None,
            max_steps=None):
        if monitors:
            raise EstimatorError("fit(monitors=...) is not supported by tf1repro; pass "
                                 "tf.train hooks to a tf.estimator.Estimator instead")
        self._estimator.train(_x_input(x, y, input_fn, batch_size, True, None), steps=steps,
                              max_steps=max_steps)
        return self

    def evaluate(self, x=None, y=None, input_fn=None, feed_fn=None, batch_size=None,
                 steps=None, metrics=None, name=None, checkpoint_path=None, hooks=None):
        if metrics is not None or feed_fn is not None:
            raise EstimatorError("evaluate(metrics=/feed_fn=) is not supported by tf1repro")
        return self._estimator.evaluate(_x_input(x, y, input_fn, batch_size, False, 1),
                                        steps=steps, hooks=hooks, name=name,
                                        checkpoint_path=checkpoint_path)

    def _predict(self, key, x, input_fn, batch_size, as_iterable):
        found = self._estimator.predict(_x_input(x, None, input_fn, batch_size, False, 1),
                                        predict_keys=key, yield_single_examples=False)
        if input_fn is not None:
            # contrib's _is_input_constant: an input function without queue runners (the
            # tutorials' tf.constant and NumPy inputs) was run for one batch only.
            batches, _ = [next(found)], found.close()
        else:
            batches = found
        found = (_row(batch, i) for batch in batches for i in range(_rows(batch)))
        values = (item[key] if isinstance(key, str) else item for item in found)
        if as_iterable:
            return values
        values = list(values)
        if not isinstance(key, str):
            return {k: np.stack([v[k] for v in values]) for k in values[0]}
        return np.stack(values)

    def predict_classes(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        return self._predict("classes", x, input_fn, batch_size, as_iterable)

    def predict_proba(self, x=None, input_fn=None, batch_size=None, as_iterable=True):
        return self._predict("probabilities", x, input_fn, batch_size, as_iterable)

    def predict(self, x=None, input_fn=None, batch_size=None, outputs=None, as_iterable=True):
        """The classes (TF 1.12), unless ``outputs`` names others."""
        if outputs is None or "classes" in outputs:
            return self.predict_classes(x, input_fn, batch_size, as_iterable)
        return self._predict(list(outputs), x, input_fn, batch_size, as_iterable)


def _rows(batch):
    return len(next(iter(batch.values()))) if isinstance(batch, dict) else len(batch)


def _row(batch, i):
    return {k: v[i] for k, v in batch.items()} if isinstance(batch, dict) else batch[i]


class SKCompat:
    """scikit-learn's ``fit`` / ``score`` / ``predict`` around a contrib estimator."""

    def __init__(self, estimator):
        self._estimator = estimator

    def fit(self, x, y, batch_size=128, steps=None, max_steps=None, monitors=None):
        self._estimator.fit(x, y, batch_size=batch_size, steps=steps, max_steps=max_steps,
                            monitors=monitors)
        return self

    def score(self, x, y, batch_size=128, steps=None, metrics=None, name=None):
        return self._estimator.evaluate(x, y, batch_size=batch_size, steps=steps,
                                        metrics=metrics, name=name)

    def predict(self, x, batch_size=128, outputs=None):
        """All of ``x``'s predictions as arrays, a dict of them unless one is asked for."""
        return self._estimator._predict(outputs, x, None, batch_size, as_iterable=False)


Dataset = collections.namedtuple("Dataset", ["data", "target"])


def load_csv_with_header(filename, target_dtype, features_dtype, target_column=-1):
    """``tf.contrib.learn.datasets.base.load_csv_with_header``: a CSV whose first row
    holds the number of samples and of features (the iris files of TF's tutorials)."""
    with open(filename, newline="") as f:
        rows = csv.reader(f)
        header = next(rows)
        n_samples, n_features = int(header[0]), int(header[1])
        data = np.zeros((n_samples, n_features), dtype=features_dtype)
        target = np.zeros((n_samples,), dtype=target_dtype)
        for i, row in enumerate(rows):
            target[i] = np.asarray(row.pop(target_column), dtype=target_dtype)
            data[i] = np.asarray(row, dtype=features_dtype)
    return Dataset(data=data, target=target)
