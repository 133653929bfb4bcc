"""The canned estimators of TF 1.x: ``DNNClassifier``, ``DNNRegressor``,
``LinearClassifier``, ``LinearRegressor`` (TF 1.12's ``tensorflow/python/estimator/canned/``).

    classifier = DNNClassifier(hidden_units=[10, 20, 10], feature_columns=columns, n_classes=3)

Their graphs keep TF 1.x's variable scopes and partitioners, so their checkpoints
have TF 1.x's names: ``dnn/hiddenlayer_0/kernel``, ``dnn/hiddenlayer_0/bias``, ...,
``dnn/logits/kernel``, ``dnn/logits/bias`` (glorot uniform kernels, zero biases), and
``linear/linear_model/<column>/weights``, ``linear/linear_model/bias_weights``; the
optimizer's slots beside them (``dnn/logits/kernel/Adagrad``, ``.../Ftrl_1``), and
``global_step``.  Defaults: ``Adagrad(0.05)`` for the DNNs, ``Ftrl(0.2)`` for the linear
models (the name 'Ftrl' with TF 1.12's rate; ``optimizer=None`` gives the older
``min(0.2, 1/sqrt(n columns))``); an optimizer may also be named ('Adagrad', 'Adam',
'Ftrl', 'RMSProp', 'SGD'), given, or made by a callable.
"""

import math

from tf1repro.estimator.estimator import Estimator
from tf1repro.estimator.heads import RegressionHead, classifier_head
from tf1repro.estimator.spec import EstimatorError, ModeKeys
from tf1repro.runtime.layers import dense
from tf1repro.runtime.layers import dropout as dropout_layer
from tf1repro.tfcompat import tf, v1

_OPTIMIZERS = {"Adagrad": v1.train.AdagradOptimizer, "Adam": v1.train.AdamOptimizer,
               "Ftrl": v1.train.FtrlOptimizer, "RMSProp": v1.train.RMSPropOptimizer,
               "SGD": v1.train.GradientDescentOptimizer}


def optimizer_instance(optimizer, learning_rate):
    """TF 1.x's ``get_optimizer_instance``: a name, an instance, or a callable."""
    if isinstance(optimizer, str):
        if optimizer not in _OPTIMIZERS:
            raise EstimatorError(f"Unsupported optimizer name: {optimizer}. Supported names are: "
                                 f"{tuple(sorted(_OPTIMIZERS))}")
        return _OPTIMIZERS[optimizer](learning_rate=learning_rate)
    if callable(optimizer) and not isinstance(optimizer, v1.train.Optimizer):
        optimizer = optimizer()
    if not isinstance(optimizer, v1.train.Optimizer):
        raise EstimatorError(f"The given object is not an Optimizer instance. Given: {optimizer}")
    return optimizer


def _dict_features(features):
    if not isinstance(features, dict):
        raise EstimatorError(f"features should be a dictionary of `Tensor`s. Given type: "
                             f"{type(features)}")
    return features


def _add_layer_summary(value, tag):
    v1.summary.scalar(f"{tag}/fraction_of_zero_values", tf.nn.zero_fraction(value))
    v1.summary.histogram(f"{tag}/activation", value)


def dnn_logits(features, mode, units, hidden_units, feature_columns, activation_fn, dropout):
    """The DNN's logits under ``dnn/`` (call inside a graph; TF 1.12's ``_dnn_model_fn``)."""
    features = _dict_features(features)
    # One partition on one machine; kept because the partitioner decides the slots'
    # checkpoint names (``.../kernel/Adagrad``, saved from ``.../kernel/part_0/Adagrad``).
    with v1.variable_scope("dnn", values=tuple(features.values()),
                           partitioner=v1.min_max_variable_partitioner(max_partitions=0)):
        with v1.variable_scope("input_from_feature_columns", partitioner=(
                v1.min_max_variable_partitioner(max_partitions=0, min_slice_size=64 << 20))):
            net = v1.feature_column.input_layer(features, feature_columns)
        for layer_id, width in enumerate(hidden_units):
            with v1.variable_scope(f"hiddenlayer_{layer_id}") as scope:
                net = dense(net, width, activation=activation_fn,
                            kernel_initializer=v1.glorot_uniform_initializer(), name=scope)
                if dropout is not None and mode == ModeKeys.TRAIN:
                    net = dropout_layer(net, rate=dropout, training=True)
            _add_layer_summary(net, scope.name)
        with v1.variable_scope("logits") as scope:
            logits = dense(net, units, kernel_initializer=v1.glorot_uniform_initializer(),
                           name=scope)
        _add_layer_summary(logits, scope.name)
    return logits


def linear_logits(features, units, feature_columns, sparse_combiner):
    """The linear model's logits under ``linear/linear_model/`` (TF 1.12's ``_linear_model_fn``)."""
    features = _dict_features(features)
    with v1.variable_scope("linear", values=tuple(features.values()),
                           partitioner=v1.min_max_variable_partitioner(
                               max_partitions=0, min_slice_size=64 << 20)):
        cols_to_vars = {}
        logits = v1.feature_column.linear_model(features, feature_columns, units=units,
                                                sparse_combiner=sparse_combiner,
                                                cols_to_vars=cols_to_vars)
        bias = cols_to_vars.pop("bias")
        if units > 1:
            v1.summary.histogram("bias", bias)
        else:
            v1.summary.scalar("bias", bias[0][0])
        weights = [var for variables in cols_to_vars.values() for var in variables]
        zeros = tf.add_n([tf.reduce_sum(tf.cast(tf.equal(w, 0), tf.float32)) for w in weights])
        total = sum(int(w.shape.num_elements()) for w in weights)
        v1.summary.scalar("fraction_of_zero_weights", zeros / max(total, 1))
    return logits


def _check_common(weight_column, label_vocabulary=None, warm_start_from=None, batch_norm=False):
    for name, value in (("weight_column", weight_column), ("label_vocabulary", label_vocabulary),
                        ("warm_start_from", warm_start_from)):
        if value is not None:
            raise EstimatorError(f"{name}={value!r} is not supported by tf1repro's canned "
                                 "estimators")
    if batch_norm:
        raise EstimatorError("batch_norm=True is not supported by tf1repro's canned estimators")


class _DNN(Estimator):
    def __init__(self, head, hidden_units, feature_columns, model_dir, optimizer, activation_fn,
                 dropout, config):
        columns = tuple(feature_columns)

        def model_fn(features, labels, mode, config):
            logits = dnn_logits(features, mode, head.logits_dimension, hidden_units, columns,
                                activation_fn, dropout)
            opt = optimizer_instance(optimizer, 0.05) if mode == ModeKeys.TRAIN else None
            return head.spec(features, mode, logits, labels, opt)
        super().__init__(model_fn, model_dir=model_dir, config=config)


class DNNClassifier(_DNN):
    def __init__(self, hidden_units, feature_columns, model_dir=None, n_classes=2,
                 weight_column=None, label_vocabulary=None, optimizer="Adagrad",
                 activation_fn=tf.nn.relu, dropout=None, input_layer_partitioner=None,
                 config=None, warm_start_from=None, loss_reduction=None, batch_norm=False):
        _check_common(weight_column, label_vocabulary, warm_start_from, batch_norm)
        super().__init__(classifier_head(n_classes), hidden_units, feature_columns, model_dir,
                         optimizer, activation_fn, dropout, config)


class DNNRegressor(_DNN):
    def __init__(self, hidden_units, feature_columns, model_dir=None, label_dimension=1,
                 weight_column=None, optimizer="Adagrad", activation_fn=tf.nn.relu,
                 dropout=None, input_layer_partitioner=None, config=None, warm_start_from=None,
                 loss_reduction=None, batch_norm=False):
        _check_common(weight_column, warm_start_from=warm_start_from, batch_norm=batch_norm)
        super().__init__(RegressionHead(label_dimension), hidden_units, feature_columns,
                         model_dir, optimizer, activation_fn, dropout, config)


class _Linear(Estimator):
    def __init__(self, head, feature_columns, model_dir, optimizer, config, sparse_combiner):
        columns = tuple(feature_columns)
        rate = min(0.2, 1.0 / math.sqrt(max(len(columns), 1)))

        def model_fn(features, labels, mode, config):
            logits = linear_logits(features, head.logits_dimension, columns, sparse_combiner)
            opt = (optimizer_instance(optimizer or v1.train.FtrlOptimizer(rate), 0.2)
                   if mode == ModeKeys.TRAIN else None)
            return head.spec(features, mode, logits, labels, opt)
        super().__init__(model_fn, model_dir=model_dir, config=config)


class LinearClassifier(_Linear):
    def __init__(self, feature_columns, model_dir=None, n_classes=2, weight_column=None,
                 label_vocabulary=None, optimizer="Ftrl", config=None, partitioner=None,
                 warm_start_from=None, loss_reduction=None, sparse_combiner="sum"):
        _check_common(weight_column, label_vocabulary, warm_start_from)
        super().__init__(classifier_head(n_classes), feature_columns, model_dir,
                         optimizer, config, sparse_combiner)


class LinearRegressor(_Linear):
    def __init__(self, feature_columns, model_dir=None, label_dimension=1, weight_column=None,
                 optimizer="Ftrl", config=None, partitioner=None, warm_start_from=None,
                 loss_reduction=None, sparse_combiner="sum"):
        _check_common(weight_column, warm_start_from=warm_start_from)
        super().__init__(RegressionHead(label_dimension), feature_columns, model_dir,
                         optimizer, config, sparse_combiner)
