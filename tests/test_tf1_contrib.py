"""``tf.contrib.layers``' layers, ``arg_scope``, and TF 1.x's behaviour switches.

The expected names, paths and numbers come from TF 1.15's
``contrib/layers/python/layers/layers.py`` read by hand (which path a call
takes, what it names its variables, which variance feeds the moving average)
and from NumPy, not from the code under test.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.tf1.contrib.framework import add_arg_scope, arg_scope
from tf1repro.tf1.contrib.layers import batch_norm, dropout, fully_connected

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fresh():
    tf.reset_default_graph()


def names(collection):
    return [v.op.name for v in tf.get_collection(collection)]


def session():
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())
    return sess


# --- fully_connected and arg_scope ------------------------------------------------------

def test_fully_connected_names_defaults_and_xavier_weights():
    fresh()
    X = tf.placeholder(tf.float32, shape=(None, 50), name="X")
    h = fully_connected(X, 30)
    out = fully_connected(h, 10, activation_fn=None, scope="logits")
    assert names(tf.GraphKeys.TRAINABLE_VARIABLES) == [
        "fully_connected/weights", "fully_connected/biases", "logits/weights", "logits/biases"]
    assert names(tf.GraphKeys.MODEL_VARIABLES) == names(tf.GraphKeys.TRAINABLE_VARIABLES)
    x = np.random.RandomState(0).randn(4, 50).astype(np.float32) * 3
    with session() as sess:
        w, b, hv, ov, w2, b2 = sess.run(
            ["fully_connected/weights:0", "fully_connected/biases:0", h, out,
             "logits/weights:0", "logits/biases:0"], {X: x})
    # Xavier: uniform within sqrt(6 / (fan_in + fan_out)), drawn across that range.
    limit = np.sqrt(6.0 / (50 + 30))
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.9 * limit
    assert not b.any()
    np.testing.assert_allclose(hv, np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-5)  # ReLU
    np.testing.assert_allclose(ov, hv @ w2 + b2, rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="num_outputs"):
        fully_connected(X, 3.0)


def test_arg_scope_supplies_defaults_nests_and_yields_to_explicit_arguments():
    fresh()
    X = tf.placeholder(tf.float32, shape=(None, 8))
    training = tf.placeholder_with_default(False, shape=(), name="training")
    params = {"is_training": training, "decay": 0.9, "updates_collections": None}
    with arg_scope([fully_connected], normalizer_fn=batch_norm, normalizer_params=params):
        h1 = fully_connected(X, 6, scope="hidden1")
        with arg_scope([fully_connected], activation_fn=tf.nn.elu):
            h2 = fully_connected(h1, 4, scope="hidden2")
        out = fully_connected(h2, 3, scope="outputs", activation_fn=None, normalizer_fn=None)
    # With a normalizer: no biases; contrib's batch_norm has no gamma unless scale=True.
    assert names(tf.GraphKeys.GLOBAL_VARIABLES) == [
        "hidden1/weights", "hidden1/BatchNorm/beta", "hidden1/BatchNorm/moving_mean",
        "hidden1/BatchNorm/moving_variance", "hidden2/weights", "hidden2/BatchNorm/beta",
        "hidden2/BatchNorm/moving_mean", "hidden2/BatchNorm/moving_variance",
        "outputs/weights", "outputs/biases"]
    assert tf.get_collection(tf.GraphKeys.UPDATE_OPS) == []  # forced in place
    assert h2.op.type == "Elu" and h1.op.type == "Relu" and out.op.type == "BiasAdd"
    with pytest.raises(ValueError, match="add_arg_scope"):
        arg_scope([len], x=1)

    @add_arg_scope
    def f(a, b=1, c=2):
        return a, b, c
    with arg_scope([f], b=10, c=20):
        with arg_scope([f], c=30):
            assert f(0) == (0, 10, 30) and f(0, c=5) == (0, 10, 5)
        assert f(0) == (0, 10, 20)
    assert f(0) == (0, 1, 2)


# --- batch_norm against NumPy, path by path -----------------------------------------------

def numpy_case(x, axes, decay, bessel, eps=1e-3):
    """Output in training and the moving statistics after one update, from zeros/ones."""
    mean, var = x.mean(axis=axes), x.var(axis=axes)
    n = x.size // mean.size
    seen = var * n / (n - 1) if bessel else var
    shape = [1] * x.ndim
    shape[-1] = -1
    out = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return out, (1 - decay) * mean, decay + (1 - decay) * seen


@pytest.mark.parametrize("shape, kwargs, bessel, collected", [
    # 2-D: contrib's own fused path, however the updates are collected.
    ((40, 5), {"updates_collections": None}, True, False),
    ((40, 5), {}, True, True),
    # fused=False: plain moments (its own path, or tf.layers' non-fused one).
    ((40, 5), {"fused": False, "updates_collections": None}, False, False),
    ((40, 5), {"fused": False}, False, True),
    # 4-D with UPDATE_OPS: tf.layers.batch_normalization, fused there; forced: contrib's fused.
    ((6, 3, 4, 5), {}, True, True),
    ((6, 3, 4, 5), {"updates_collections": None}, True, False),
    # Rank 3: never fused.
    ((8, 6, 5), {}, False, True),
    ((8, 6, 5), {"updates_collections": None}, False, False),
])
def test_batch_norm_paths_against_numpy(shape, kwargs, bessel, collected):
    fresh()
    x = (np.random.RandomState(1).randn(*shape) * 2 + 3).astype(np.float32)
    X = tf.placeholder(tf.float32, shape=shape)
    training = tf.placeholder_with_default(True, shape=())
    y = batch_norm(X, decay=0.9, is_training=training, **kwargs)
    assert names(tf.GraphKeys.GLOBAL_VARIABLES) == [
        "BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance"]
    assert names(tf.GraphKeys.TRAINABLE_VARIABLES) == ["BatchNorm/beta"]
    assert names(tf.GraphKeys.MODEL_VARIABLES) == names(tf.GraphKeys.GLOBAL_VARIABLES)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == (2 if collected else 0)
    want_out, want_mean, want_var = numpy_case(x.astype(np.float64), tuple(range(len(shape) - 1)),
                                               0.9, bessel)
    with session() as sess:
        out = sess.run([y] + updates, {X: x})[0]
        mean, var = sess.run(["BatchNorm/moving_mean:0", "BatchNorm/moving_variance:0"])
        np.testing.assert_allclose(out, want_out, rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(mean, want_mean, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(var, want_var, rtol=1e-5, atol=1e-6)
        # Not training: the moving statistics normalise, and nothing moves.
        inference = sess.run(y, {X: x, training: False})
        np.testing.assert_allclose(
            inference, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
        assert np.array_equal(sess.run("BatchNorm/moving_mean:0"), mean)


def test_batch_norm_scale_initializers_collections_and_scopes():
    fresh()
    X = tf.placeholder(tf.float32, shape=(None, 4))
    batch_norm(X, scale=True, param_initializers={"gamma": tf.constant_initializer(2.0)},
               variables_collections=["mine"])
    batch_norm(X, center=False, variables_collections={"moving_mean": ["means"]})
    assert names(tf.GraphKeys.GLOBAL_VARIABLES) == [
        "BatchNorm/beta", "BatchNorm/gamma", "BatchNorm/moving_mean", "BatchNorm/moving_variance",
        "BatchNorm_1/moving_mean", "BatchNorm_1/moving_variance"]
    assert names("mine") == names(tf.GraphKeys.GLOBAL_VARIABLES)[:4]
    assert names("means") == ["BatchNorm_1/moving_mean"]
    with session() as sess:
        assert sess.run("BatchNorm/gamma:0").tolist() == [2.0] * 4


@pytest.mark.parametrize("argument, value", [
    ("batch_weights", [1.0]), ("zero_debias_moving_mean", True), ("renorm", True),
    ("adjustment", lambda shape: (1.0, 0.0))])
def test_batch_norm_unimplemented_arguments_are_refused_by_name(argument, value):
    fresh()
    with pytest.raises(NotImplementedError, match=f"{argument} is not supported"):
        batch_norm(tf.zeros([2, 3]), **{argument: value})


def test_contrib_dropout_keeps_keep_prob_and_trains_by_default():
    fresh()
    x = np.ones((200, 50), np.float32)
    kept = dropout(tf.constant(x), keep_prob=0.8, seed=1)
    off = dropout(tf.constant(x), keep_prob=0.8, is_training=False)
    with session() as sess:
        k, o = sess.run([kept, off])
    assert set(np.unique(k)) == {0.0, np.float32(1 / 0.8)}
    assert 0.75 < (k > 0).mean() < 0.85
    assert np.array_equal(o, x)


# --- TF 1.x's behaviour switches ------------------------------------------------------------

def test_variables_are_tf1_reference_variables_and_shapes_are_tf1s():
    """Hands-On ML's max-norm code: the kernel's tensor by name is its value, clipped and
    assigned back; ``dim.value`` works on shapes."""
    fresh()
    X = tf.placeholder(tf.float32, shape=(None, 4), name="X")
    tf.layers.dense(X, 3, name="hidden1", kernel_initializer=tf.constant_initializer(
        np.arange(12).reshape(4, 3)))
    assert X.get_shape()[1].value == 4
    weights = tf.get_default_graph().get_tensor_by_name("hidden1/kernel:0")
    clip_weights = tf.assign(weights, tf.clip_by_norm(weights, clip_norm=1.0, axes=1))
    with session() as sess:
        sess.run(clip_weights)
        clipped = sess.run(weights)
    w = np.arange(12, dtype=np.float64).reshape(4, 3)
    want = w / np.maximum(np.linalg.norm(w, axis=1, keepdims=True), 1.0)
    np.testing.assert_allclose(clipped, want, rtol=1e-6)


ERA_PROGRAM = '''
import numpy as np
import tf1repro.tf1 as tf
from tf1repro.tf1.contrib.layers import batch_norm, fully_connected
from tf1repro.tf1.contrib.framework import arg_scope
from tf1repro.tf1.examples.tutorials.mnist import input_data

tf.set_random_seed(42)
X = tf.placeholder(tf.float32, shape=(None, 28 * 28), name="X")
y = tf.placeholder(tf.int64, shape=(None), name="y")
is_training = tf.placeholder(tf.bool, shape=(), name="is_training")
bn_params = {"is_training": is_training, "decay": 0.99, "updates_collections": None}
with tf.name_scope("dnn"):
    with arg_scope([fully_connected], normalizer_fn=batch_norm, normalizer_params=bn_params):
        hidden1 = fully_connected(X, 300, scope="hidden1")
        hidden2 = fully_connected(hidden1, 100, scope="hidden2")
        logits = fully_connected(hidden2, 10, scope="outputs", activation_fn=None)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
training_op = tf.train.GradientDescentOptimizer(0.01).minimize(loss)
accuracy = tf.reduce_mean(tf.cast(tf.nn.in_top_k(logits, y, 1), tf.float32))
mnist = input_data.read_data_sets(DATA)
with tf.Session() as sess:
    tf.global_variables_initializer().run()
    for iteration in range(mnist.train.num_examples // 50):
        X_batch, y_batch = mnist.train.next_batch(50)
        sess.run(training_op, feed_dict={is_training: True, X: X_batch, y: y_batch})
    print("Test accuracy:", accuracy.eval(feed_dict={is_training: False, X: mnist.test.images,
                                                      y: mnist.test.labels}))
'''


def test_a_contrib_era_program_runs_as_written():
    """Chapter 11 of Hands-On ML's first edition, in the style it was written: one epoch."""
    from tf1repro.data.provision import default_data_dir
    code = f"DATA = {default_data_dir()!r}\n" + ERA_PROGRAM
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    accuracy = float(proc.stdout.split("Test accuracy:")[1])
    assert 0.92 < accuracy < 0.99, proc.stdout  # one epoch of SGD 0.01 with batch norm
