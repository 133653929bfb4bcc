"""The ops each reproduced TF 1.x release built, name by name, for the calls whose op
counts changed between releases.

Under TF 1.x's op-seed rule (``framework/random_seed.py`` ``get_seed`` of every 1.x wheel:
a random op without its own seed, in a graph with a seed, takes as op seed
``graph._last_id``, the number of ops created in the graph before the seed is taken),
the number and order of ops every call makes decides every later random draw.

Every expected list below is copied from the research reports, which read each
release's own PyPI wheel (tensorflow-1.2.1, 1.3.0, 1.6.0, 1.7.0, 1.8.0, 1.15.5):
/work/research/core.md ("core") and /work/research/dropout_conv_contrib.md ("dropout").
None is taken from the code under test.
"""

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.runtime import releases
from tf1repro.runtime.base import Unsupported
from tf1repro.runtime.dropout import nn_dropout
from tf1repro.runtime.nn_ops import in_top_k

RELEASES = ["1.2", "1.3", "1.6", "1.7", "1.8", "1.15"]


@pytest.fixture(params=RELEASES)
def release(request, monkeypatch):
    monkeypatch.setenv(releases.ENV, request.param)
    return request.param


def built(fn, seed=42, shape=(None, 300)):
    """The (name, type) of the ops ``fn(h, training)`` adds to a fresh graph."""
    graph = tf.Graph()
    with graph.as_default():
        if seed is not None:
            tf.set_random_seed(seed)
        h = tf.placeholder(tf.float32, shape, name="h")
        training = tf.placeholder_with_default(False, shape=(), name="training")
        before = len(graph.get_operations())
        fn(h, training)
        return [(op.name, op.type) for op in graph.get_operations()[before:]]


def names(ops):
    return [name for name, _ in ops]


# core §2, array_ops.zeros of each wheel: 1.2.1/1.3.0 (and 1.4.0/1.5.0) one Const;
# 1.6.0/1.7.0 always shape_as_tensor, Const, Fill; 1.8.0..1.15.5 Const if < 1000 elements.
FILL = ["b/Initializer/zeros/shape_as_tensor", "b/Initializer/zeros/Const", "b/Initializer/zeros"]
CONST = ["b/Initializer/zeros"]
ZEROS = {"1.2": (CONST, CONST), "1.3": (CONST, CONST), "1.6": (FILL, FILL), "1.7": (FILL, FILL),
         "1.8": (CONST, FILL), "1.15": (CONST, FILL)}


@pytest.mark.parametrize("size", [300, 1000])
def test_bias_zeros_initializer(release, size):
    ops = built(lambda h, t: tf.get_variable("b", [size], initializer=tf.zeros_initializer()))
    expected = ZEROS[release][size == 1000]
    assert names(ops) == expected + ["b", "b/Assign", "b/read"]
    assert ops[len(expected) - 1][1] == ("Const" if len(expected) == 1 else "Fill")


def test_zeros_and_ones_in_the_namespace(release):
    expected = {"1.2": ["zeros"], "1.3": ["zeros"], "1.6": ["zeros/shape_as_tensor",
                "zeros/Const", "zeros"], "1.7": ["zeros/shape_as_tensor", "zeros/Const", "zeros"],
                "1.8": ["zeros"], "1.15": ["zeros"]}[release]
    assert names(built(lambda h, t: tf.zeros([300]))) == expected
    assert names(built(lambda h, t: tf.ones([300]))) == [n.replace("zeros", "ones")
                                                        for n in expected]


def test_ones_like_names_its_shape_as_tf1(release):
    # core §2: every 1.x: ones_like/Shape (Const), ones_like/Const, ones_like (Fill);
    # TensorFlow 2.21 would name the first ones_like/Shape/shape_as_tensor.
    ops = built(lambda h, t: tf.ones_like(tf.constant([1.0, 2.0], name="c")))
    assert ops == [("c", "Const"), ("ones_like/Shape", "Const"), ("ones_like/Const", "Const"),
                   ("ones_like", "Fill")]


RANDOM_UNIFORM = ["random_uniform/shape", "random_uniform/min", "random_uniform/max",
                  "random_uniform/RandomUniform", "random_uniform/sub", "random_uniform/mul",
                  "random_uniform"]


def test_random_uniform_keeps_min_max_sub_mul_add(release):
    # core §3 / dropout §1: random_ops.random_uniform, the same in every 1.x wheel.
    for fn in (lambda h, t: tf.random_uniform([3]), lambda h, t: tf.random_uniform([3], 0, 1)):
        ops = built(fn)
        assert names(ops) == RANDOM_UNIFORM
        assert ops[-1][1] == "Add"
    init = built(lambda h, t: tf.get_variable("u", [3], initializer=tf.random_uniform_initializer()))
    assert names(init)[:7] == ["u/Initializer/" + n for n in RANDOM_UNIFORM]


def test_random_uniform_seed_is_ops_before_it():
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(7)
        tf.random_uniform([3])
        rnd = graph.get_operation_by_name("random_uniform/RandomUniform")
        assert rnd.get_attr("seed") == 7 and rnd.get_attr("seed2") == 3  # shape, min, max


# dropout §1: nn.dropout(h, 0.5), h [None, 300]
DROPOUT_KEEP_PROB = [  # 1.0.0-1.12.0 nn_ops.py (12 ops)
    "dropout/keep_prob", "dropout/Shape", "dropout/random_uniform/min", "dropout/random_uniform/max",
    "dropout/random_uniform/RandomUniform", "dropout/random_uniform/sub",
    "dropout/random_uniform/mul", "dropout/random_uniform", "dropout/add", "dropout/Floor",
    "dropout/div", "dropout/mul"]
DROPOUT_RATE = [  # 1.14.0-1.15.0 nn_ops.py dropout_v2 (16 ops)
    "dropout/rate", "dropout/Shape", "dropout/random_uniform/min", "dropout/random_uniform/max",
    "dropout/random_uniform/RandomUniform", "dropout/random_uniform/sub",
    "dropout/random_uniform/mul", "dropout/random_uniform", "dropout/sub/x", "dropout/sub",
    "dropout/truediv/x", "dropout/truediv", "dropout/GreaterEqual", "dropout/mul", "dropout/Cast",
    "dropout/mul_1"]


def expected_dropout(release):
    return DROPOUT_RATE if release == "1.15" else DROPOUT_KEEP_PROB


def test_nn_dropout_ops(release):
    assert names(built(lambda h, t: nn_dropout(h, 0.5))) == expected_dropout(release)
    if release == "1.15":
        assert names(built(lambda h, t: nn_dropout(h, rate=0.5))) == DROPOUT_RATE


def in_a_cond(dropout_names):
    """tf.layers.dropout's names: the release's nn.dropout ops inside smart_cond's cond."""
    body = [n.replace("dropout/", "dropout/cond/dropout/", 1) for n in dropout_names]
    body.insert(2, "dropout/cond/dropout/Shape/Switch")
    return (["dropout/cond/Switch", "dropout/cond/switch_t", "dropout/cond/switch_f",
             "dropout/cond/pred_id"] + body
            + ["dropout/cond/Identity", "dropout/cond/Identity/Switch", "dropout/cond/Merge"])


def test_layers_dropout_ops_in_a_cond(release):
    # dropout §2: 20 ops (1.0-1.12) / 24 ops (1.14-1.15)
    expected = in_a_cond(expected_dropout(release))
    ops = built(lambda h, t: tf.layers.dropout(h, 0.5, training=t))
    assert len(ops) == (24 if release == "1.15" else 20)
    assert names(ops) == expected
    contrib = built(lambda h, t: tf.contrib.layers.dropout(h, 0.5, is_training=t))
    assert names(contrib) == [n.replace("dropout/cond/", "Dropout/cond/", 1) for n in expected]


def test_dropout_seed2_is_the_op_count_before_it(release):
    # TF 1.x: get_seed runs after random_uniform's min and max exist, so seed2 = ops so far.
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(42)
        h = tf.placeholder(tf.float32, [None, 300], name="h")
        training = tf.placeholder_with_default(False, shape=(), name="training")
        tf.layers.dropout(h, 0.5, training=training)
        ops = graph.get_operations()
        position = [op.name for op in ops].index("dropout/cond/dropout/random_uniform/RandomUniform")
        # 3 ops before the layer, 4 cond header ops, then keep_prob|rate, Shape, Shape/Switch, min, max
        assert position == 3 + 4 + 5
        assert ops[position].get_attr("seed") == 42
        assert ops[position].get_attr("seed2") == position


def test_dropout_numerics(release):
    graph = tf.Graph()
    x = np.ones((4, 300), np.float32)
    with graph.as_default():
        h = tf.placeholder(tf.float32, [None, 300])
        a = nn_dropout(h, 0.25, seed=5)
        b = nn_dropout(h, 0.25, seed=5)
        with tf.Session() as sess:
            va, vb = sess.run([a, b], {h: x})
    kept = va != 0
    assert np.allclose(va[kept], 1 / 0.25)
    assert 0.15 < kept.mean() < 0.35
    np.testing.assert_array_equal(va, vb)  # same graph and op seeds: same mask


def test_dropout_argument_checks(release, monkeypatch):
    h = tf.placeholder(tf.float32, [None, 3])
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError):
            nn_dropout(h, bad)
    if release == "1.15":
        with pytest.raises(ValueError, match="Cannot specify both 'keep_prob' and 'rate'"):
            nn_dropout(h, 0.5, rate=0.5)
        with pytest.raises(ValueError, match="You must provide a rate"):
            nn_dropout(h)
    else:
        with pytest.raises(TypeError, match="rate"):
            nn_dropout(h, rate=0.5)


def test_in_top_k(release):
    def build(h, t):
        logits = tf.placeholder(tf.float32, [None, 10], name="logits")
        y = tf.placeholder(tf.int32, [None], name="y")
        in_top_k(logits, y, 1)
    ops = built(build)[2:]
    # 1.2.1/1.3.0 gen_nn_ops.in_top_k: apply_op("InTopK", k attr, name None -> "InTopK");
    # 1.4.0+ nn_ops.in_top_k: name_scope "in_top_k" around gen_nn_ops in_top_kv2 (k an input).
    if release in ("1.2", "1.3"):
        assert ops == [("InTopK", "InTopK")]
    else:
        assert ops == [("in_top_k/InTopKV2/k", "Const"), ("in_top_k/InTopKV2", "InTopKV2")]


def test_conv2d_op_name(release):
    # dropout §3: _Conv.call uses nn.convolution (conv2d/convolution) in 1.0-1.3 and
    # nn_ops.Convolution -> gen_nn_ops.conv2d (conv2d/Conv2D) in 1.4-1.15.
    def build(h, t):
        x = tf.placeholder(tf.float32, [None, 28, 28, 1], name="x")
        tf.layers.conv2d(x, 4, 3, padding="same", activation=tf.nn.relu)
    ops = names(built(build))[1:]
    conv = "conv2d/convolution" if release in ("1.2", "1.3") else "conv2d/Conv2D"
    bias_zeros = ([n.replace("b/", "conv2d/bias/") for n in FILL] if release in ("1.6", "1.7")
                  else ["conv2d/bias/Initializer/zeros"])  # core §2 for a [4] bias
    assert ops == (["conv2d/kernel/Initializer/" + n for n in RANDOM_UNIFORM]
                   + ["conv2d/kernel", "conv2d/kernel/Assign", "conv2d/kernel/read"]
                   + bias_zeros + ["conv2d/bias", "conv2d/bias/Assign", "conv2d/bias/read",
                                   conv, "conv2d/BiasAdd", "conv2d/Relu"])


FLATTEN_8 = ["flatten/Shape", "flatten/strided_slice/stack", "flatten/strided_slice/stack_1",
             "flatten/strided_slice/stack_2", "flatten/strided_slice", "flatten/Reshape/shape/1",
             "flatten/Reshape/shape", "flatten/Reshape"]


def test_flatten(release):
    # dropout §3: absent before 1.4; 8 ops 1.4-1.12; 1.13+ 2 ops when the batch size is known.
    unknown = lambda h, t: tf.layers.flatten(tf.placeholder(tf.float32, [None, 2, 3], name="x"))
    known = lambda h, t: tf.layers.flatten(tf.placeholder(tf.float32, [5, 2, 3], name="x"))
    if release in ("1.2", "1.3"):
        with pytest.raises(Unsupported, match=f"TF {release}"):
            built(unknown)
        return
    assert names(built(unknown))[1:] == FLATTEN_8
    assert names(built(known))[1:] == (["flatten/Reshape/shape", "flatten/Reshape"]
                                       if release == "1.15" else FLATTEN_8)


def test_core_variance_scaling_normal(release):
    # core §3: stddev sqrt(scale / n) in 1.2-1.8; divided by .87962566103423978 in 1.15.5
    graph = tf.Graph()
    with graph.as_default():
        tf.get_variable("w", [100, 50], initializer=tf.variance_scaling_initializer(
            distribution="normal"))
        stddev = graph.get_operation_by_name("w/Initializer/truncated_normal/stddev")
        value = stddev.get_attr("value").float_val[0]
    expected = np.sqrt(1.0 / 100) / (0.87962566103423978 if release == "1.15" else 1.0)
    assert value == pytest.approx(expected, rel=1e-6)
