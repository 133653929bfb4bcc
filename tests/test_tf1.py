"""``tf1repro.tf1``: TF 1.x's API and semantics, checked against independent references.

References: NumPy restatements of TF 1.x's arithmetic and of its ``mnist.py``
data order (written here from TF 1.x's source, not from the code under
test), and tf-keras's legacy ``tf.compat.v1.layers`` in a subprocess
(``TF_USE_LEGACY_KERAS=1``), which keeps TF 1.x's layers but for their
variable creation order.
"""

import gzip
import json
import os
import struct
import subprocess
import sys

import numpy as np
import pytest

import tf1repro.layers  # the old path, kept as an alias of tf1repro.runtime.layers
import tf1repro.tf1 as tf
from tf1repro.tf1.examples.tutorials.mnist import input_data


def fresh():
    tf.reset_default_graph()
    return tf.get_default_graph()


def run(fetches, feed=None):
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        return sess.run(fetches, feed)


# --- the facade ------------------------------------------------------------------------

def test_graph_mode_and_compat_v1_forwarded_as_is():
    import tensorflow
    assert not tf.executing_eagerly()
    for name in ("placeholder", "Session", "GraphKeys", "reset_default_graph",
                 "set_random_seed", "truncated_normal_initializer", "get_collection"):
        assert getattr(tf, name) is getattr(tensorflow.compat.v1, name)
    # tf.nn and tf.train are namespaces of the package that forward name for name.
    assert tf.train.Saver is tensorflow.compat.v1.train.Saver
    assert tf.nn.relu is tensorflow.compat.v1.nn.relu
    # Names whose ops or values differ per TF 1.x release are tf1repro's (test_release_ops.py).
    for name in ("zeros", "ones", "ones_like", "random_uniform", "random_uniform_initializer",
                 "variance_scaling_initializer"):
        assert getattr(tf, name) is not getattr(tensorflow.compat.v1, name)
    assert tf.__version__ == tensorflow.__version__
    # TF 1.x's argument order (predictions, targets, k), not TF 2's.
    fresh()
    correct = tf.nn.in_top_k(tf.constant([[0.1, 0.9], [0.8, 0.2]]), tf.constant([1, 1]), 1)
    assert list(run(correct)) == [True, False]


def test_one_implementation_of_each_layer():
    assert tf.layers.dense is tf1repro.layers.dense
    assert tf.layers.batch_normalization is tf1repro.layers.batch_normalization
    assert tf.contrib.layers.variance_scaling_initializer is \
        tf1repro.layers.variance_scaling_initializer
    assert tf.examples.tutorials.mnist.input_data is input_data


@pytest.mark.parametrize("path, name", [
    ("layers", "conv3d"), ("contrib", "slim"), ("contrib.layers", "conv2d"),
    ("contrib.framework", "get_variables")])
def test_other_layers_and_contrib_names_say_what_is_supported(path, name):
    namespace = tf
    for part in path.split("."):
        namespace = getattr(namespace, part)
    with pytest.raises(NotImplementedError) as error:
        getattr(namespace, name)
    message = str(error.value)
    assert f"tf.{path}.{name} is not supported by tf1repro.tf1" in message
    assert {"layers": "dense", "contrib": "layers.batch_norm", "contrib.layers": "fully_connected",
            "contrib.framework": "arg_scope"}[path] in message
    # The import line a TF 1.x program has, under the rule: the same message.
    with pytest.raises(NotImplementedError, match=f"tf.{path}.{name} is not supported"):
        exec(f"from tf1repro.tf1.{path} import {name}", {})
    with pytest.raises(AttributeError):
        namespace._private  # what tools probe for stays an AttributeError
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        tf.no_such_name


@pytest.mark.parametrize("argument, value", [
    ("renorm", True), ("virtual_batch_size", 2), ("adjustment", lambda shape: (1.0, 0.0))])
def test_unimplemented_batch_norm_arguments_are_refused_by_name(argument, value):
    fresh()
    x = tf.placeholder(tf.float32, [None, 4])
    with pytest.raises(NotImplementedError, match=f"{argument}.*is not supported"):
        tf.layers.batch_normalization(x, **{argument: value})
    assert tf.global_variables() == []  # refused before anything was made


# --- dense -----------------------------------------------------------------------------------

def test_dense_names_activation_bias_and_collections():
    fresh()
    rng = np.random.default_rng(0)
    xv = rng.standard_normal((5, 4)).astype(np.float32)
    x = tf.placeholder(tf.float32, [None, 4])
    a = tf.layers.dense(x, 3, activation=tf.nn.elu)
    b = tf.layers.dense(a, 2, use_bias=False, trainable=False)
    c = tf.layers.dense(x, 3, name="a", kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1))
    d = tf.layers.dense(x, 3, name="a", reuse=True)
    names = [v.op.name for v in tf.global_variables()]
    assert names == ["dense/kernel", "dense/bias", "dense_1/kernel", "a/kernel", "a/bias"]
    assert [v.op.name for v in tf.trainable_variables()] == \
        ["dense/kernel", "dense/bias", "a/kernel", "a/bias"]
    losses = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
    assert len(losses) == 1  # the reused layer adds none
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        var = {v.op.name: v for v in tf.global_variables()}
        k, k1, ka = sess.run([var["dense/kernel"], var["dense_1/kernel"], var["a/kernel"]])
        bias_value = rng.standard_normal(3).astype(np.float32)
        var["dense/bias"].load(bias_value, sess)
        av, bv, cv, dv, loss = sess.run([a, b, c, d, losses[0]], {x: xv})
    z = xv @ k + bias_value
    np.testing.assert_allclose(av, np.where(z > 0, z, np.expm1(z)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bv, av @ k1, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(cv, dv)
    np.testing.assert_allclose(loss, 0.1 * np.sum(ka.astype(np.float64) ** 2) / 2, rtol=1e-5)


def test_dense_on_rank_3_multiplies_the_last_axis():
    fresh()
    xv = np.random.default_rng(1).standard_normal((2, 3, 4)).astype(np.float32)
    y = tf.layers.dense(tf.constant(xv), 5)
    assert y.shape.as_list() == [2, 3, 5]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        yv, k = sess.run([y, tf.global_variables()[0]])
    np.testing.assert_allclose(yv, xv @ k, rtol=1e-5, atol=1e-6)


def test_contrib_initializer_formulas():
    he = tf.contrib.layers.variance_scaling_initializer()
    assert he.scale_for([784, 300]) == pytest.approx(np.sqrt(1.3 * 2.0 / 784))
    xavier = tf.contrib.layers.xavier_initializer()
    assert (xavier.factor, xavier.mode, xavier.uniform) == (1.0, "FAN_AVG", True)
    assert xavier.scale_for([300, 100]) == pytest.approx(np.sqrt(3.0 / 200))
    fresh()
    values = run(tf.get_variable("w", [400, 300], initializer=xavier))
    assert 0.99 * np.sqrt(3.0 / 350) < np.abs(values).max() <= np.sqrt(3.0 / 350)
    assert tf.contrib.layers.l2_regularizer(0.0)(tf.constant([1.0])) is None


# --- batch normalization ------------------------------------------------------------------

def test_batch_norm_names_collections_and_python_false():
    fresh()
    x = tf.placeholder(tf.float32, [None, 4])
    t = tf.placeholder_with_default(False, shape=())
    tf.layers.batch_normalization(x, training=t)
    tf.layers.batch_normalization(x, training=t, center=False)
    tf.layers.batch_normalization(x, scale=False)  # training=False: inference only
    # TF 1.15 (the default release) made gamma before beta; 1.2/1.3 beta first
    # (tests/test_bn_releases.py).
    assert [v.op.name for v in tf.global_variables()] == [
        "batch_normalization/gamma", "batch_normalization/beta",
        "batch_normalization/moving_mean", "batch_normalization/moving_variance",
        "batch_normalization_1/gamma", "batch_normalization_1/moving_mean",
        "batch_normalization_1/moving_variance", "batch_normalization_2/beta",
        "batch_normalization_2/moving_mean", "batch_normalization_2/moving_variance"]
    assert all("moving" not in v.op.name for v in tf.trainable_variables())
    assert len(tf.get_collection(tf.GraphKeys.UPDATE_OPS)) == 4  # none for training=False
    # Filled by tf.train.ExponentialMovingAverage in TF 1.x, never by this layer.
    assert tf.get_collection(tf.GraphKeys.MOVING_AVERAGE_VARIABLES) == []


def numpy_bn(x, axes, mean, var, eps=1e-3):
    shape = [x.shape[a] if a in axes else 1 for a in range(x.ndim)]
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)


@pytest.mark.parametrize("shape, axis, fused, bessel", [
    ((6, 3, 4), -1, None, False),      # rank 3: never fused, biased variance
    ((4, 3, 3, 2), -1, None, True),    # 4-D NHWC: TF 1.x's fused kernel, unbiased variance
    ((4, 2, 3, 3), 1, None, True),     # 4-D NCHW: fused too
    ((4, 3, 3, 2), -1, False, False),  # fused=False: the plain path
])
def test_batch_norm_of_any_rank_against_numpy(shape, axis, fused, bessel):
    fresh()
    xv = np.random.default_rng(2).normal(3.0, 2.0, shape).astype(np.float32)
    x = tf.placeholder(tf.float32, shape)
    t = tf.placeholder_with_default(False, shape=())
    z = tf.layers.batch_normalization(x, axis=axis, training=t, momentum=0.9, fused=fused)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    mm, mv = [v for v in tf.global_variables() if "moving" in v.op.name]
    channel = axis % len(shape)
    others = tuple(a for a in range(len(shape)) if a != channel)
    x64 = xv.astype(np.float64)
    mean, var = x64.mean(axis=others), x64.var(axis=others)
    n = xv.size // shape[channel]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        z_infer = sess.run(z, {x: xv})
        z_train, _ = sess.run([z, updates], {x: xv, t: True})
        mm_v, mv_v = sess.run([mm, mv])
    np.testing.assert_allclose(z_infer, numpy_bn(x64, [channel], np.zeros(shape[channel]),
                                                 np.ones(shape[channel])), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(z_train, numpy_bn(x64, [channel], mean, var), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mm_v, 0.1 * mean, rtol=1e-5, atol=1e-6)
    expected_var = var * n / (n - 1) if bessel else var
    np.testing.assert_allclose(mv_v, 0.9 + 0.1 * expected_var, rtol=1e-5)


# --- tf-keras's legacy layers, in a subprocess ----------------------------------------------

CASES = {
    "2d": dict(shape=[16, 5], kwargs={}),
    "4d_nhwc": dict(shape=[4, 3, 3, 5], kwargs={}),
    "4d_nchw": dict(shape=[4, 5, 3, 3], kwargs={"axis": 1}),
    "4d_not_fused": dict(shape=[4, 3, 3, 5], kwargs={"fused": False}),
    "no_center": dict(shape=[16, 5], kwargs={"center": False}),
    "no_scale": dict(shape=[4, 3, 3, 5], kwargs={"scale": False}),
    "initializers": dict(shape=[16, 5], kwargs={
        "beta_initializer": "constant(0.3)", "gamma_initializer": "constant(1.5)",
        "moving_mean_initializer": "constant(-0.5)",
        "moving_variance_initializer": "constant(2.0)"}),
}

# conv2d then pooling (NHWC: TensorFlow's CPU kernels have no NCHW convolution).
CONV_CASES = {
    "conv_valid_max": dict(kernel_size=3, strides=1, padding="valid", pool="max_pooling2d"),
    "conv_same_avg": dict(kernel_size=(3, 2), strides=(2, 1), padding="same",
                          pool="average_pooling2d"),
}

_COMPARE = r'''
import json, sys
import numpy as np
import tensorflow as tf
v1 = tf.compat.v1
import tf1repro.runtime.layers as ours
out_dir, everything = sys.argv[1], json.loads(sys.argv[2])
cases, CONV_CASES = everything["bn"], everything["conv"]

def kwargs_of(spec):
    return {k: (eval("v1." + v + "_initializer" if False else "v1.constant_initializer(" + v[9:-1] + ")")
                if isinstance(v, str) else v) for k, v in spec.items()}

def bn_case(name, layer, spec):
    rng = np.random.default_rng(5)
    xs = [rng.normal(2.0, 3.0, spec["shape"]).astype(np.float32) for _ in range(3)]
    w = rng.standard_normal(spec["shape"]).astype(np.float32)
    graph = tf.Graph()
    res = {}
    with graph.as_default():
        v1.set_random_seed(0)
        x = v1.placeholder(tf.float32, spec["shape"])
        t = v1.placeholder_with_default(False, shape=())
        z = layer(x, training=t, momentum=0.9, **kwargs_of(spec["kwargs"]))
        params = sorted(v1.trainable_variables(), key=lambda v: v.op.name)
        grads = tf.gradients(tf.reduce_sum(z * w), [x] + params)
        updates = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
        info = {"globals": sorted(v.op.name for v in v1.global_variables()),
                "trainable": sorted(v.op.name for v in v1.trainable_variables()),
                "updates": len(updates),
                "moving_average": len(v1.get_collection(v1.GraphKeys.MOVING_AVERAGE_VARIABLES))}
        moving = sorted((v for v in v1.global_variables() if "moving" in v.op.name),
                        key=lambda v: v.op.name)
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            res["z_infer"] = sess.run(z, {x: xs[0]})
            res["z_train"] = sess.run(z, {x: xs[0], t: True})
            for i, g in enumerate(sess.run(grads, {x: xs[0], t: True})):
                res[f"grad{i}"] = g
            for i, batch in enumerate(xs):
                sess.run(updates, {x: batch, t: True})
                for v in moving:
                    res[f"{v.op.name.split('/')[-1]}_{i}"] = sess.run(v)
            res["z_after"] = sess.run(z, {x: xs[1]})
    return res, info

def dense_case(layer, activation):
    rng = np.random.default_rng(6)
    xv = rng.standard_normal((8, 6)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 6])
        y = layer(x, 4, activation=activation, name="hidden1",
                  kernel_initializer=v1.constant_initializer(np.linspace(-1, 1, 24).reshape(6, 4)),
                  bias_initializer=v1.constant_initializer(0.25))
        info = {"globals": [v.op.name for v in v1.global_variables()],
                "trainable": [v.op.name for v in v1.trainable_variables()]}
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            return {"y": sess.run(y, {x: xv})}, info

def conv_case(layers, spec):
    rng = np.random.default_rng(7)
    shape = (3, 9, 8, 2)
    xv = rng.standard_normal(shape).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        v1.set_random_seed(3)
        x = v1.placeholder(tf.float32, shape)
        k = spec["kernel_size"]
        k = (k, k) if isinstance(k, int) else tuple(k)
        n = k[0] * k[1] * 2 * 4
        conv = layers.conv2d(x, 4, spec["kernel_size"], strides=spec["strides"],
                             padding=spec["padding"], activation=tf.nn.relu,
                             kernel_initializer=v1.constant_initializer(
                                 np.sin(np.arange(n)).reshape(k + (2, 4))),
                             bias_initializer=v1.constant_initializer(0.1))
        again = layers.conv2d(conv, 3, 2, kernel_initializer=v1.constant_initializer(
            np.cos(np.arange(48)).reshape(2, 2, 4, 3)))
        pool = getattr(layers, spec["pool"])(again, 2, 2, padding=spec["padding"])
        info = {"globals": [v.op.name for v in v1.global_variables()],
                "trainable": [v.op.name for v in v1.trainable_variables()],
                "pool": pool.op.name, "shape": pool.shape.as_list()}
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            names = [v.op.name for v in v1.global_variables()]
            values = sess.run([conv, again, pool] + v1.global_variables(), {x: xv})
            return dict(zip(["conv", "again", "pool"] + names, values)), info

summary = {}
for impl_name, module in (("ours", ours), ("legacy", v1.layers)):
    for case, spec in CONV_CASES.items():
        res, info = conv_case(module, spec)
        np.savez(f"{out_dir}/{impl_name}_{case}.npz", **res)
        summary[f"{impl_name}_{case}"] = info
for impl_name, bn, dense in (("ours", ours.batch_normalization, ours.dense),
                             ("legacy", v1.layers.batch_normalization, v1.layers.dense)):
    for case, spec in cases.items():
        res, info = bn_case(case, bn, spec)
        np.savez(f"{out_dir}/{impl_name}_{case}.npz", **res)
        summary[f"{impl_name}_{case}"] = info
    for act_name, act in (("linear", None), ("elu", tf.nn.elu)):
        res, info = dense_case(dense, act)
        np.savez(f"{out_dir}/{impl_name}_dense_{act_name}.npz", **res)
        summary[f"{impl_name}_dense_{act_name}"] = info
json.dump(summary, open(f"{out_dir}/summary.json", "w"))
'''


@pytest.fixture(scope="module")
def legacy(tmp_path_factory):
    out = tmp_path_factory.mktemp("legacy")
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, "-c", _COMPARE, str(out),
                           json.dumps({"bn": CASES, "conv": CONV_CASES})],
                          env=env, capture_output=True, text=True, timeout=300)
    if "No module named 'tf_keras'" in proc.stderr:
        pytest.skip("tf_keras (the test extra) is not installed")
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(out / "summary.json") as f:
        return out, json.load(f)


@pytest.mark.parametrize("case", sorted(CASES))
def test_batch_norm_matches_tf_keras_legacy_layer(legacy, case):
    out, summary = legacy
    ours, ref = dict(np.load(out / f"ours_{case}.npz")), dict(np.load(out / f"legacy_{case}.npz"))
    assert sorted(ours) == sorted(ref)
    for key in sorted(ref):
        # The fused 4-D cases: tf-keras kept TF 1.x's Bessel-corrected moving
        # variance (TF 1.x's normalization.py, _bessels_correction_test_only=True),
        # so both must agree here, and test_batch_norm_of_any_rank_against_numpy
        # pins the value itself.
        np.testing.assert_allclose(ours[key], ref[key], rtol=2e-5, atol=2e-5, err_msg=key)
    # Same names and collections; only the creation order differs (beta first here, as TF 1.x).
    assert summary[f"ours_{case}"] == summary[f"legacy_{case}"]
    assert np.abs(ref["moving_mean_2"]).max() > 0.1  # the updates moved the statistics


@pytest.mark.parametrize("activation", ["linear", "elu"])
def test_dense_matches_tf_keras_legacy_layer(legacy, activation):
    out, summary = legacy
    ours = np.load(out / f"ours_dense_{activation}.npz")["y"]
    ref = np.load(out / f"legacy_dense_{activation}.npz")["y"]
    np.testing.assert_allclose(ours, ref, rtol=1e-6, atol=1e-6)
    assert summary[f"ours_dense_{activation}"] == summary[f"legacy_dense_{activation}"]
    assert (ours.min() < -1) == (activation == "linear")  # ELU stays above -1


@pytest.mark.parametrize("case", sorted(CONV_CASES))
def test_conv2d_and_pooling_match_tf_keras_legacy_layers(legacy, case):
    out, summary = legacy
    ours, ref = dict(np.load(out / f"ours_{case}.npz")), dict(np.load(out / f"legacy_{case}.npz"))
    assert sorted(ours) == sorted(ref) == sorted(
        ["conv", "again", "pool", "conv2d/kernel", "conv2d/bias", "conv2d_1/kernel",
         "conv2d_1/bias"])
    for key in sorted(ref):
        np.testing.assert_allclose(ours[key], ref[key], rtol=1e-5, atol=1e-5, err_msg=key)
    assert summary[f"ours_{case}"] == summary[f"legacy_{case}"]


def test_conv2d_default_kernel_is_get_variables_glorot_uniform():
    fresh()
    y = tf.layers.conv2d(tf.zeros([1, 6, 6, 5]), 7, 3, padding="same")
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        kernel, out = sess.run(["conv2d/kernel:0", y])
    # Glorot: fans count the 3 x 3 window; limit sqrt(6 / (fan_in + fan_out)).
    limit = np.sqrt(6.0 / (3 * 3 * 5 + 3 * 3 * 7))
    assert kernel.shape == (3, 3, 5, 7) and out.shape == (1, 6, 6, 7)
    assert limit * 0.9 < np.abs(kernel).max() <= limit


# --- input_data: TF 1.x's data order -----------------------------------------------------

def write_idx(folder, rng, n_train=70, n_test=20):
    arrays = {"train-images-idx3-ubyte.gz": rng.integers(0, 256, (n_train, 28, 28), np.uint8),
              "train-labels-idx1-ubyte.gz": rng.integers(0, 10, n_train).astype(np.uint8),
              "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (n_test, 28, 28), np.uint8),
              "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, n_test).astype(np.uint8)}
    for name, a in arrays.items():
        head = struct.pack(">IIII", 2051, *a.shape) if a.ndim == 3 else struct.pack(">II", 2049, len(a))
        with gzip.open(folder / name, "wb") as f:
            f.write(head + a.tobytes())
    return arrays


def tf1_batches(images, labels, numpy_seed, batch_size, n_batches, between=None):
    """TF 1.x's mnist.py DataSet, restated: the three constructors each reseed
    NumPy's global generator (the last one's seeding is what next_batch draws
    from), and next_batch permutes the arrays with numpy.random.shuffle."""
    for _ in range(3):
        np.random.seed(numpy_seed)
    if between:
        between()
    images = images.reshape(len(images), -1).astype(np.float32) * (1.0 / 255.0)
    n, index, epochs, out = len(images), 0, 0, []
    for _ in range(n_batches):
        start = index
        if epochs == 0 and start == 0:
            perm0 = np.arange(n)
            np.random.shuffle(perm0)
            images, labels = images[perm0], labels[perm0]
        if start + batch_size > n:
            epochs += 1
            rest_i, rest_l = images[start:n], labels[start:n]
            perm = np.arange(n)
            np.random.shuffle(perm)
            images, labels = images[perm], labels[perm]
            index = batch_size - (n - start)
            out.append((np.concatenate((rest_i, images[:index])), np.concatenate((rest_l, labels[:index]))))
        else:
            index += batch_size
            out.append((images[start:index], labels[start:index]))
    return out, images


@pytest.mark.parametrize("graph_seed, op_seed", [(42, None), (None, 7), (3, 2**31 + 5)])
def test_read_data_sets_gives_tf1s_order_for_its_seeds(tmp_path, graph_seed, op_seed, capsys):
    arrays = write_idx(tmp_path, np.random.default_rng(8))
    train_images = arrays["train-images-idx3-ubyte.gz"][10:]
    train_labels = arrays["train-labels-idx1-ubyte.gz"][10:]
    # random_seed.get_seed: the graph seed when no op seed is given, else the op
    # seed truncated to 2**31 - 1.
    numpy_seed = graph_seed if op_seed is None else op_seed % (2**31 - 1)
    between = lambda: np.random.random_sample(3)  # user code drawing from the global generator
    fresh()
    if graph_seed is not None:
        tf.set_random_seed(graph_seed)
    mnist = input_data.read_data_sets(str(tmp_path), validation_size=10, seed=op_seed)
    between()
    got = [mnist.train.next_batch(25) for _ in range(7)]  # 60 examples: leftovers cross epochs
    want, shuffled = tf1_batches(train_images, train_labels, numpy_seed, 25, 7, between)
    for (gi, gl), (wi, wl) in zip(got, want):
        np.testing.assert_array_equal(gl, wl)
        np.testing.assert_array_equal(gi, wi)
    assert mnist.train.epochs_completed == 2
    np.testing.assert_array_equal(mnist.train.images, shuffled)  # TF 1.x's arrays, shuffled
    assert f"Extracting {tmp_path}/train-images-idx3-ubyte.gz" in capsys.readouterr().out


def test_read_data_sets_options(tmp_path):
    arrays = write_idx(tmp_path, np.random.default_rng(9))
    mnist = input_data.read_data_sets(str(tmp_path), one_hot=True, dtype=tf.uint8,
                                      reshape=False, validation_size=5)
    assert mnist.validation.images.shape == (5, 28, 28, 1)
    assert mnist.validation.images.dtype == np.uint8
    np.testing.assert_array_equal(mnist.validation.images[..., 0],
                                  arrays["train-images-idx3-ubyte.gz"][:5])
    labels = mnist.test.labels
    assert labels.shape == (20, 10) and labels.dtype == np.float64
    np.testing.assert_array_equal(labels.argmax(1), arrays["t10k-labels-idx1-ubyte.gz"])
    assert (labels.sum(1) == 1).all()
    with pytest.raises(ValueError, match="Validation size should be between 0 and 70"):
        input_data.read_data_sets(str(tmp_path), validation_size=71)
    with pytest.raises(NotImplementedError, match="fake_data"):
        input_data.read_data_sets(str(tmp_path), fake_data=True)
    with pytest.raises(TypeError, match="Invalid image dtype"):
        input_data.read_data_sets(str(tmp_path), dtype=tf.int32, validation_size=5)
