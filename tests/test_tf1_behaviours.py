"""TF 1.x behaviours that TF 2.21's ``tf.compat.v1`` changed or lost, restored by
``tf1repro.tf1``: the cross-entropies' named-arguments rule, TF 1.x's positional
orders, the names TF 1.x renamed before 1.0, import lines of unsupported modules,
and the tutorial's ``mnist.py`` driven as ``fully_connected_feed.py`` drove it.

References: TF 1.15's sources (NVIDIA/tensorflow, the 1.15 line: nn_ops.py,
nn_impl.py, tools/api/golden/v1/tensorflow.pbtxt), TF 1.1's tf_upgrade.py, and
NumPy for the values.
"""

import inspect
import types

import numpy as np
import pytest

import tensorflow
import tf1repro.tf1 as tf
from tf1repro.layers import Unsupported
from tf1repro.tf1 import nn as tf1_nn

v1 = tensorflow.compat.v1


def fresh():
    tf.reset_default_graph()


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


def params(function):
    return list(inspect.signature(function).parameters)


# --- tf.nn: the cross-entropies -------------------------------------------------------

# TF 1.15: nn_ops.py (softmax, sparse) and nn_impl.py (sigmoid), NVIDIA/tensorflow.
XENT = {
    "softmax_cross_entropy_with_logits": ["_sentinel", "labels", "logits", "dim", "name", "axis"],
    "sparse_softmax_cross_entropy_with_logits": ["_sentinel", "labels", "logits", "name"],
    "sigmoid_cross_entropy_with_logits": ["_sentinel", "labels", "logits", "name"],
}


@pytest.mark.parametrize("name", sorted(XENT))
def test_cross_entropies_refuse_positional_calls_as_tf1_did(name):
    fresh()
    function = getattr(tf.nn, name)
    assert params(function) == XENT[name]
    assert inspect.signature(tf.nn.softmax_cross_entropy_with_logits).parameters["dim"].default == -1
    logits, labels = tf.constant([[2.0, 0.5, -1.0]]), tf.constant([[0.0, 1.0, 0.0]])
    with pytest.raises(ValueError) as error:
        function(logits, labels)  # TF 2.21's compat.v1 took the logits for the labels
    assert str(error.value) == (f"Only call `{name}` with named arguments "
                                "(labels=..., logits=..., ...)")
    with pytest.raises(ValueError, match="^Both labels and logits must be provided.$"):
        function(logits=logits)


def test_softmax_cross_entropy_values_and_tf1_gradients():
    fresh()
    logits_np = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]], np.float32)
    labels_np = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]], np.float32)
    logits, labels = tf.constant(logits_np), tf.constant(labels_np)
    xent = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    log_softmax = logits_np - np.log(np.exp(logits_np).sum(1, keepdims=True))
    expected = -(labels_np * log_softmax).sum(1)
    grad_logits, grad_labels = tf.gradients(tf.reduce_sum(xent), [logits, labels])
    # TF 1.x's v1 function stopped gradients into the labels.
    assert grad_labels is None
    value, gradient = run([xent, grad_logits])
    np.testing.assert_allclose(value, expected, rtol=1e-6)
    np.testing.assert_allclose(gradient, np.exp(log_softmax) - labels_np, rtol=1e-5, atol=1e-7)
    sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.constant([1, 2]), logits=logits)
    sigmoid = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    sparse_value, sigmoid_value = run([sparse, sigmoid])
    np.testing.assert_allclose(sparse_value, -log_softmax[[0, 1], [1, 2]], rtol=1e-6)
    x, z = logits_np, labels_np
    np.testing.assert_allclose(sigmoid_value, np.maximum(x, 0) - x * z + np.log1p(np.exp(-abs(x))),
                               rtol=1e-6)


# --- tf.nn: the namespace ---------------------------------------------------------------

def test_nn_forwards_every_other_name_and_imports_as_a_module():
    assert isinstance(tf.nn, types.ModuleType) and tf.nn is tf1_nn
    for name in ("relu", "conv2d", "max_pool", "l2_loss",
                 "embedding_lookup", "softmax_cross_entropy_with_logits_v2"):
        assert getattr(tf.nn, name) is getattr(v1.nn, name), name
    # dropout, in_top_k and moments build the chosen release's ops (test_release_ops.py,
    # test_all_releases.py: 1.0-1.2's moments were not 1.3's).
    for name in ("dropout", "in_top_k", "moments"):
        assert getattr(tf.nn, name) is not getattr(v1.nn, name), name
    from tf1repro.tf1.nn import moments, softmax_cross_entropy_with_logits  # noqa: F401
    assert "softmax_cross_entropy_with_logits" in dir(tf.nn) and "relu" in dir(tf.nn)
    with pytest.raises(AttributeError, match="has no attribute 'no_such_op'"):
        tf.nn.no_such_op


def test_rnn_names_are_the_package_modules():
    from tf1repro.runtime import rnn
    from tf1repro.tf1 import rnn_cell
    assert tf.nn.rnn_cell is rnn_cell
    assert tf.nn.dynamic_rnn is rnn.dynamic_rnn and tf.nn.static_rnn is rnn.static_rnn
    assert tf.nn.bidirectional_dynamic_rnn is rnn.bidirectional_dynamic_rnn
    assert tf.nn.rnn_cell.BasicLSTMCell is tf.contrib.rnn.BasicLSTMCell


def test_top_k_and_matmul_take_name_where_tf1_did():
    fresh()
    assert params(tf.nn.top_k) == ["input", "k", "sorted", "name"]
    values, indices = tf.nn.top_k(tf.constant([1.0, 3.0, 2.0]), 2, True, "best")
    assert values.op.name == "best"
    a, b = tf.constant([[1.0, 2.0]]), tf.constant([[3.0], [4.0]])
    product = tf.matmul(a, b, False, False, False, False, False, False, "product")
    assert product.op.name == "product" and run(product).tolist() == [[11.0]]


# --- the audit: calls whose TF 1.15 parameter order 2.21 keeps --------------------------

# Parameter lists from TF 1.15's tools/api/golden/v1/tensorflow.pbtxt and nn_impl.py /
# nn_ops.py (docs/tf1-audit.md); 2.21 may only append parameters after these.
TF1_15 = {
    "concat": ["values", "axis", "name"],
    "split": ["value", "num_or_size_splits", "axis", "num", "name"],
    "squeeze": ["input", "axis", "name", "squeeze_dims"],
    "expand_dims": ["input", "axis", "name", "dim"],
    "reduce_sum": ["input_tensor", "axis", "keepdims", "name", "reduction_indices", "keep_dims"],
    "reduce_mean": ["input_tensor", "axis", "keepdims", "name", "reduction_indices", "keep_dims"],
    "reduce_max": ["input_tensor", "axis", "keepdims", "name", "reduction_indices", "keep_dims"],
    "count_nonzero": ["input_tensor", "axis", "keepdims", "dtype", "name", "reduction_indices",
                      "keep_dims", "input"],
    "truncated_normal": ["shape", "mean", "stddev", "dtype", "seed", "name"],
    "transpose": ["a", "perm", "name", "conjugate"],
    "gather": ["params", "indices", "validate_indices", "name", "axis", "batch_dims"],
    "where": ["condition", "x", "y", "name"],
    "zeros": ["shape", "dtype", "name"],
    "constant": ["value", "dtype", "shape", "name", "verify_shape"],
    "get_variable": ["name", "shape", "dtype", "initializer", "regularizer", "trainable",
                     "collections", "caching_device", "partitioner", "validate_shape",
                     "use_resource", "custom_getter", "constraint", "synchronization",
                     "aggregation"],
    "map_fn": ["fn", "elems", "dtype", "parallel_iterations", "back_prop", "swap_memory",
               "infer_shape", "name"],
    "nn.dropout": ["x", "keep_prob", "noise_shape", "seed", "name", "rate"],
    "nn.moments": ["x", "axes", "shift", "name", "keep_dims", "keepdims"],
    "nn.sufficient_statistics": ["x", "axes", "shift", "keep_dims", "name", "keepdims"],
    "nn.weighted_cross_entropy_with_logits": ["labels", "logits", "pos_weight", "name",
                                              "targets"],
    "nn.l2_normalize": ["x", "axis", "epsilon", "name", "dim"],
    "nn.xw_plus_b": ["x", "weights", "biases", "name"],
    "nn.separable_conv2d": ["input", "depthwise_filter", "pointwise_filter", "strides",
                            "padding", "rate", "name", "data_format", "dilations"],
}


@pytest.mark.parametrize("path", sorted(TF1_15))
def test_tf1_parameter_orders_hold(path):
    function = tf
    for part in path.split("."):
        function = getattr(function, part)
    assert params(function)[:len(TF1_15[path])] == TF1_15[path]


def test_keep_dims_dimension_and_keep_prob_keep_their_tf1_meaning():
    fresh()
    x = tf.constant([[1.0, 2.0], [3.0, 6.0]])
    mean, variance = tf.nn.moments(x, [0], keep_dims=True)
    fetched = run([tf.reduce_sum(x, 1, keep_dims=True), tf.argmax(x, dimension=1),
                   tf.squeeze(tf.expand_dims(x, dim=0), squeeze_dims=[0]), mean, variance,
                   tf.nn.dropout(x, keep_prob=1.0)])
    assert fetched[0].tolist() == [[3.0], [9.0]] and fetched[1].tolist() == [1, 1]
    assert fetched[2].tolist() == [[1.0, 2.0], [3.0, 6.0]]
    assert fetched[3].tolist() == [[2.0, 4.0]] and fetched[4].tolist() == [[1.0, 4.0]]
    assert fetched[5].tolist() == [[1.0, 2.0], [3.0, 6.0]]


# --- names TF 1.x renamed before 1.0 ----------------------------------------------------

RENAMED = [("mul", "tf.multiply"), ("sub", "tf.subtract"), ("neg", "tf.negative"),
           ("pack", "tf.stack"), ("unpack", "tf.unstack"), ("select", "tf.where"),
           ("batch_matmul", "tf.matmul"), ("listdiff", "tf.setdiff1d"),
           ("merge_all_summaries", "tf.summary.merge_all"),
           ("scalar_summary", "tf.summary.scalar"), ("histogram_summary", "tf.summary.histogram"),
           ("image_summary", "tf.summary.image"), ("audio_summary", "tf.summary.audio"),
           ("merge_summary", "tf.summary.merge"), ("train.SummaryWriter", "tf.summary.FileWriter")]


@pytest.mark.parametrize("old, new", RENAMED)
def test_names_renamed_before_1_0_name_their_successor(old, new):
    parent, _, name = f"tf.{old}".rpartition(".")
    namespace = tf.train if parent == "tf.train" else tf
    message = f"tf.{old} was renamed {new} in TF 1.0; use {new}"
    with pytest.raises(Unsupported) as error:
        getattr(namespace, name)
    assert str(error.value) == message
    module = "tf1repro.tf1" + parent[2:]
    with pytest.raises(Unsupported, match=f"^{message}$"):
        exec(f"from {module} import {name}", {})


def test_renamed_names_2_21_still_has_are_forwarded():
    for name in ("initialize_all_variables", "all_variables", "initialize_local_variables"):
        assert getattr(tf, name) is getattr(v1, name)


# --- module paths -----------------------------------------------------------------------

@pytest.mark.parametrize("line, says", [
    ("import tf1repro.tf1.contrib.slim as slim",
     "tf.contrib.slim is not supported by tf1repro.tf1 .*tf.contrib provides: layers.fully_connected"),
    ("import tf1repro.tf1.contrib.legacy_seq2seq as seq2seq",
     "tf.contrib.legacy_seq2seq is not supported by tf1repro.tf1 .*framework.arg_scope"),
    ("from tf1repro.tf1.estimator import Experimental",
     "tf.estimator.Experimental is not supported by tf1repro.tf1 .*tf.estimator provides: "
     "Estimator, EstimatorSpec"),
    ("from tf1repro.tf1.contrib.learn import LinearClassifier",
     "tf.contrib.learn.LinearClassifier is not supported by tf1repro.tf1 .*DNNClassifier"),
])
def test_import_lines_fail_as_attributes_do(line, says):
    with pytest.raises(Unsupported, match=says) as error:
        exec(line, {})
    assert "\n" not in str(error.value)


def test_other_missing_module_paths_stay_module_not_found():
    with pytest.raises(ModuleNotFoundError, match="has no attribute 'no_such'"):
        exec("import tf1repro.tf1.no_such", {})
    with pytest.raises(ModuleNotFoundError, match="write `from tf1repro.tf1 import losses`"):
        exec("import tf1repro.tf1.losses", {})
    with pytest.raises(ModuleNotFoundError):
        exec("import tf1repro.tf1._no_such_private", {})
    from tf1repro.tf1.examples.tutorials.mnist import input_data  # real modules: untouched
    assert input_data.__name__.endswith("input_data")


# --- tensorflow.examples.tutorials.mnist.mnist, as fully_connected_feed.py drove it ------

def test_tutorial_mnist_model_names_and_training():
    from tf1repro.tf1.examples.tutorials.mnist import mnist
    assert (mnist.NUM_CLASSES, mnist.IMAGE_SIZE, mnist.IMAGE_PIXELS) == (10, 28, 784)
    fresh()
    tf.set_random_seed(1)
    batch_size, hidden1, hidden2 = 50, 16, 8
    images_placeholder = tf.placeholder(tf.float32, shape=(batch_size, mnist.IMAGE_PIXELS))
    labels_placeholder = tf.placeholder(tf.int32, shape=(batch_size,))
    logits = mnist.inference(images_placeholder, hidden1, hidden2)
    loss = mnist.loss(logits, labels_placeholder)
    train_op = mnist.training(loss, 0.5)
    eval_correct = mnist.evaluation(logits, labels_placeholder)
    summary = tf.summary.merge_all()

    assert [(v.op.name, v.shape.as_list()) for v in tf.global_variables()] == [
        ("hidden1/weights", [784, 16]), ("hidden1/biases", [16]),
        ("hidden2/weights", [16, 8]), ("hidden2/biases", [8]),
        ("softmax_linear/weights", [8, 10]), ("softmax_linear/biases", [10]),
        ("global_step", [])]
    assert [v.op.name for v in tf.trainable_variables()] == [
        "hidden1/weights", "hidden1/biases", "hidden2/weights", "hidden2/biases",
        "softmax_linear/weights", "softmax_linear/biases"]
    assert logits.shape.as_list() == [batch_size, 10] and eval_correct.dtype == tf.int32
    assert summary is not None and loss in tf.get_collection(tf.GraphKeys.LOSSES)

    # Synthetic, learnable data: the label is the brightest of ten pixel blocks.
    rng = np.random.RandomState(0)
    labels = rng.randint(0, 10, size=500).astype(np.int32)
    images = rng.uniform(0, 0.2, size=(500, 784)).astype(np.float32)
    for i, label in enumerate(labels):
        images[i, label * 78:(label + 1) * 78] += 0.8

    def fill_feed_dict(step):
        start = (step * batch_size) % len(labels)
        return {images_placeholder: images[start:start + batch_size],
                labels_placeholder: labels[start:start + batch_size]}

    def do_eval(sess):  # fully_connected_feed.py's counting
        true_count = sum(sess.run(eval_correct, feed_dict=fill_feed_dict(step))
                         for step in range(len(labels) // batch_size))
        return true_count / len(labels)

    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        weights = sess.run(tf.global_variables()[0])
        # truncated normal, stddev 1/sqrt(784): nothing beyond two standard deviations
        assert abs(weights).max() <= 2 / 28 and 0.7 / 28 < weights.std() < 1.0 / 28
        assert not sess.run(tf.global_variables()[1]).any()
        losses = []
        for step in range(200):
            _, loss_value = sess.run([train_op, loss], feed_dict=fill_feed_dict(step))
            losses.append(loss_value)
        precision = do_eval(sess)
        assert sess.run(tf.global_variables()[-1]) == 200  # global_step
    assert np.mean(losses[-10:]) < 0.5 * np.mean(losses[:10])
    assert precision > 0.9
