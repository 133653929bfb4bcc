"""Every TF 1.x release, 1.0 to 1.15, op for op where its own sources differ (issue 18).

Each expectation below was read in that release's wheel, unpacked under
/tmp/tf1src/<wheel>/tensorflow/ (1.15.5: tensorflow_core/), in the file named beside
it; none is taken from the code under test or from ``releases.FACTS``.  The ranges are
written here again, from the reading, so a wrong row in the table fails a test.

    .venv/bin/python -m pytest tests/test_all_releases.py -q
"""

import math

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.runtime import releases
from tf1repro.runtime.base import Unsupported
from test_release_ops import built, in_a_cond, names  # noqa: E402  (the same fresh seeded graph)

WHEELS = {"1.0": "1.0.1", "1.1": "1.1.0", "1.2": "1.2.1", "1.3": "1.3.0", "1.4": "1.4.1",
          "1.5": "1.5.1", "1.6": "1.6.0", "1.7": "1.7.0", "1.8": "1.8.0", "1.9": "1.9.0",
          "1.10": "1.10.1", "1.11": "1.11.0", "1.12": "1.12.3", "1.13": "1.13.2",
          "1.14": "1.14.0", "1.15": "1.15.5"}
ALL = list(WHEELS)


def minor(release):
    return int(release.split(".")[1])


@pytest.fixture(params=ALL)
def release(request, monkeypatch):
    monkeypatch.setenv(releases.ENV, request.param)
    return request.param


# -- the table itself ------------------------------------------------------------------------

def test_every_release_is_accepted_by_name_and_wheel():
    assert list(releases.RELEASES) == ALL
    for name, wheel in WHEELS.items():
        assert releases.check(name).wheel == wheel
        assert releases.check(wheel).name == name
        assert releases.check("r" + name).name == name


def test_every_fact_has_exactly_one_row_for_every_release():
    facts = sorted({row.name for row in releases.FACTS})
    for fact in facts:
        for name in ALL:
            key = (1, minor(name))
            rows = [r for r in releases.FACTS if r.name == fact
                    and (1, minor(r.since)) <= key <= (1, minor(r.until))]
            assert len(rows) == 1, (fact, name, rows)
            assert rows[0].source  # the file read, named in the row
    assert {"bn_path", "moments", "zeros", "zeros_initializer", "dropout", "layers_dropout",
            "in_top_k", "conv_op", "flatten", "vs_normal", "contrib_bn_fused"} <= set(facts)


def test_a_fact_never_read_raises():
    with pytest.raises(LookupError, match="'no_such_fact' was not read for TF 1.4"):
        releases.check("1.4").fact("no_such_fact")
    with pytest.raises(LookupError, match="was not read for TF 2.0"):
        releases.Release("2.0", "2.0.0").fact("zeros")  # a release no row covers


def test_the_seed_pair_zero_zero(release):
    # framework/random_seed.py get_seed: 1.0.1 returned (0, 0) as it was; 1.1.0 on made it
    # (0, 2**31 - 1), since the kernels read (0, 0) as "nondeterministic"
    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(0)
        op = tf.random_uniform([3], seed=0).op.inputs[0].op.inputs[0].op
        assert op.type == "RandomUniform"
        assert (op.get_attr("seed"), op.get_attr("seed2")) == (
            (0, 0) if release == "1.0" else (0, 2**31 - 1))


# -- zeros / ones and their initializers ------------------------------------------------------

FILL = ["b/Initializer/zeros/shape_as_tensor", "b/Initializer/zeros/Const", "b/Initializer/zeros"]


@pytest.mark.parametrize("size", [300, 1000])
def test_bias_zeros_initializer(release, size):
    ops = built(lambda h, t: tf.get_variable("b", [size], initializer=tf.zeros_initializer()))
    m = minor(release)
    if m <= 1:    # init_ops.py Zeros.__call__: constant_op.constant(0, ...), an op "Const"
        expected = ["b/Initializer/Const"]
    elif m <= 5:  # array_ops.py zeros: tensor_shape.as_shape, one Const
        expected = ["b/Initializer/zeros"]
    elif m <= 7:  # array_ops.py zeros: shape_as_tensor, Const, Fill always
        expected = FILL
    else:         # array_ops.py _constant_if_small: np.prod(shape) < 1000
        expected = ["b/Initializer/zeros"] if size < 1000 else FILL
    assert names(ops) == expected + ["b", "b/Assign", "b/read"]
    assert ops[len(expected) - 1][1] == ("Const" if len(expected) == 1 else "Fill")


def test_ones_initializer(release):
    ops = built(lambda h, t: tf.get_variable("g", [300], initializer=tf.ones_initializer()))
    # init_ops.py Ones: constant_op.constant(1, ...) in 1.0-1.1, array_ops.ones from 1.2
    first = {True: "g/Initializer/Const", False: "g/Initializer/ones"}[minor(release) <= 1]
    if minor(release) in (6, 7):
        first = ["g/Initializer/ones/shape_as_tensor", "g/Initializer/ones/Const",
                 "g/Initializer/ones"]
    assert names(ops)[:-3] == (first if isinstance(first, list) else [first])


# -- dropout ---------------------------------------------------------------------------------

KEEP_PROB = [  # nn_ops.py dropout, 1.0.1-1.12.3: 12 ops
    "dropout/keep_prob", "dropout/Shape", "dropout/random_uniform/min",
    "dropout/random_uniform/max", "dropout/random_uniform/RandomUniform",
    "dropout/random_uniform/sub", "dropout/random_uniform/mul", "dropout/random_uniform",
    "dropout/add", "dropout/Floor", "dropout/div", "dropout/mul"]
RATE_FLOOR = [  # nn_ops.py dropout_v2, 1.13.2: rate, keep_prob = 1 - rate, then Floor: 14 ops
    "dropout/rate", "dropout/Shape", "dropout/sub/x", "dropout/sub",
    "dropout/random_uniform/min", "dropout/random_uniform/max",
    "dropout/random_uniform/RandomUniform", "dropout/random_uniform/sub",
    "dropout/random_uniform/mul", "dropout/random_uniform", "dropout/add", "dropout/Floor",
    "dropout/truediv", "dropout/mul"]
RATE = [  # nn_ops.py dropout_v2, 1.14.0-1.15.5: GreaterEqual, Cast: 16 ops
    "dropout/rate", "dropout/Shape", "dropout/random_uniform/min",
    "dropout/random_uniform/max", "dropout/random_uniform/RandomUniform",
    "dropout/random_uniform/sub", "dropout/random_uniform/mul", "dropout/random_uniform",
    "dropout/sub/x", "dropout/sub", "dropout/truediv/x", "dropout/truediv",
    "dropout/GreaterEqual", "dropout/mul", "dropout/Cast", "dropout/mul_1"]


def expected_dropout(release):
    return KEEP_PROB if minor(release) <= 12 else RATE_FLOOR if minor(release) == 13 else RATE


def test_nn_dropout(release):
    assert names(built(lambda h, t: tf.nn.dropout(h, 0.5))) == expected_dropout(release)


def test_layers_dropout_is_the_releases_nn_dropout_in_a_cond(release):
    # layers/core.py (1.0-1.8), keras/layers/core.py (1.9+) Dropout.call: smart_cond around
    # nn.dropout(inputs, 1 - rate) up to 1.13, nn.dropout(inputs, rate=rate) from 1.14
    expected = in_a_cond(expected_dropout(release))
    assert names(built(lambda h, t: tf.layers.dropout(h, 0.5, training=t))) == expected


def test_contrib_fully_connected_ops_in_its_own_scope(release):
    # contrib layers.py fully_connected, every release: core Dense built with _scope=sc, whose
    # __call__ re-entered sc.original_name_scope (layers/base.py): fc/MatMul, not fc/fc/MatMul
    ops = names(built(lambda h, t: tf.contrib.layers.fully_connected(h, 10, scope="fc")))
    assert ops[-3:] == ["fc/MatMul", "fc/BiasAdd", "fc/Relu"]
    assert [n for n in ops if n in ("fc/weights", "fc/biases")] == ["fc/weights", "fc/biases"]


def test_contrib_dropout_seed_arrived_in_1_5(release):
    # contrib/layers/python/layers/layers.py dropout: no seed= before 1.5.1's signature
    call = lambda h, t: tf.contrib.layers.dropout(h, 0.5, is_training=t, seed=3)
    if minor(release) <= 4:
        with pytest.raises(TypeError, match="seed"):
            built(call)
    else:
        assert "Dropout/cond/dropout/random_uniform/RandomUniform" in names(built(call))


def test_dense_on_rank_3(release):
    ops = names(built(lambda h, t: tf.layers.dense(h, 5), shape=(None, 4, 3)))
    body = [n for n in ops if not n.startswith(("dense/kernel", "dense/bias"))]
    if release == "1.0":  # layers/core.py 1.0.1 Dense.call: to 2-D and back
        assert body == ["dense/" + n for n in (
            "Shape", "unstack", "stack/2", "stack", "Reshape/shape", "Reshape", "MatMul",
            "BiasAdd", "Reshape_1")]
    else:  # 1.1.0 on: standard_ops.tensordot
        assert body[0].startswith("dense/Tensordot/") and body[-1] == "dense/BiasAdd"


# -- in_top_k, conv2d, flatten -----------------------------------------------------------------

def test_in_top_k(release):
    def build(h, t):
        tf.nn.in_top_k(tf.placeholder(tf.float32, [None, 10], name="logits"),
                       tf.placeholder(tf.int32, [None], name="y"), 1)
    ops = built(build)[2:]
    if minor(release) <= 3:  # gen_nn_ops.py in_top_k: apply_op("InTopK"), k an attribute
        assert ops == [("InTopK", "InTopK")]
    else:  # nn_ops.py in_top_k: name_scope "in_top_k" around in_top_kv2, k an input
        assert ops == [("in_top_k/InTopKV2/k", "Const"), ("in_top_k/InTopKV2", "InTopKV2")]


def test_conv2d(release):
    def build(h, t):
        tf.layers.conv2d(tf.placeholder(tf.float32, [None, 28, 28, 1], name="x"), 4, 3)
    ops = names(built(build))[1:]
    # layers/convolutional.py (keras/layers/convolutional.py from 1.9): nn.convolution up to
    # 1.3, nn_ops.Convolution -> conv2d named by the op ("Conv2D") from 1.4
    conv = "conv2d/convolution" if minor(release) <= 3 else "conv2d/Conv2D"
    assert conv in ops and ops[-1] == "conv2d/BiasAdd"
    zeros = "conv2d/bias/Initializer/" + ("Const" if minor(release) <= 1 else "zeros")
    assert zeros in ops


FLATTEN_8 = ["flatten/Shape", "flatten/strided_slice/stack", "flatten/strided_slice/stack_1",
             "flatten/strided_slice/stack_2", "flatten/strided_slice", "flatten/Reshape/shape/1",
             "flatten/Reshape/shape", "flatten/Reshape"]
CONTRIB_FLATTEN_11 = [  # contrib layers.py flatten, 1.1.0-1.3.0: slices of the runtime shape
    "Flatten/Shape", "Flatten/Slice/begin", "Flatten/Slice/size", "Flatten/Slice",
    "Flatten/Slice_1/begin", "Flatten/Slice_1/size", "Flatten/Slice_1", "Flatten/Const",
    "Flatten/Prod", "Flatten/ExpandDims/dim", "Flatten/ExpandDims", "Flatten/concat/axis",
    "Flatten/concat", "Flatten/Reshape"]


def test_flatten_core_and_contrib(release):
    unknown = lambda h, t: tf.layers.flatten(tf.placeholder(tf.float32, [None, 2, 3], name="x"))
    known = lambda h, t: tf.layers.flatten(tf.placeholder(tf.float32, [5, 2, 3], name="x"))
    contrib = lambda h, t: tf.contrib.layers.flatten(
        tf.placeholder(tf.float32, [None, 2, 3], name="x"))
    m = minor(release)
    if m <= 3:  # layers/core.py has no Flatten before 1.4
        with pytest.raises(Unsupported, match=f"TF {release}"):
            built(unknown)
        # contrib: 1.0.1 reshape(inputs, [-1, k]); 1.1.0-1.3.0 the shape built from slices
        assert names(built(contrib))[1:] == (["Flatten/Reshape/shape", "Flatten/Reshape"]
                                             if m == 0 else CONTRIB_FLATTEN_11)
        return
    # core: reshape(x, (shape(x)[0], -1)) up to 1.12; 1.13+ a known batch size as it is
    assert names(built(unknown))[1:] == FLATTEN_8
    assert names(built(known))[1:] == (FLATTEN_8 if m <= 12
                                       else ["flatten/Reshape/shape", "flatten/Reshape"])
    # contrib from 1.4: core_layers.flatten inside name_scope "Flatten"
    assert names(built(contrib))[1:] == ["Flatten/" + n for n in FLATTEN_8]


# -- initializers ----------------------------------------------------------------------------

TRUNCATED = ["truncated_normal/shape", "truncated_normal/mean", "truncated_normal/stddev",
             "truncated_normal/TruncatedNormal", "truncated_normal/mul", "truncated_normal"]


def stddev_of(initializer, shape=(100, 50)):
    graph = tf.Graph()
    with graph.as_default():
        tf.get_variable("w", shape, initializer=initializer)
        ops = [op.name for op in graph.get_operations()]
        value = graph.get_operation_by_name("w/Initializer/truncated_normal/stddev")
        return ops, value.get_attr("value").float_val[0]


def test_core_variance_scaling_and_glorot_normal(release):
    # init_ops.py VarianceScaling "normal": sqrt(scale / n) in 1.0.1-1.9.0; from 1.10.1
    # divided by .87962566103423978 (scipy's truncnorm std on [-2, 2]), the same for
    # glorot_normal (variance scaling, scale 1, fan_avg, "normal"/"truncated_normal")
    correction = 0.87962566103423978 if minor(release) >= 10 else 1.0
    ops, value = stddev_of(tf.variance_scaling_initializer(distribution="normal"))
    assert ops[:6] == ["w/Initializer/" + n for n in TRUNCATED]  # random_ops.truncated_normal
    assert value == pytest.approx(math.sqrt(1.0 / 100) / correction, rel=1e-6)
    _, value = stddev_of(tf.glorot_normal_initializer())
    assert value == pytest.approx(math.sqrt(2.0 / 150) / correction, rel=1e-6)
    if minor(release) < 10:  # "truncated_normal" is not a distribution before 1.10
        with pytest.raises(ValueError, match="distribution"):
            tf.variance_scaling_initializer(distribution="truncated_normal")


def test_glorot_uniform_is_the_same_in_every_release(release):
    # init_ops.py glorot_uniform_initializer (a function to 1.11, a class from 1.12):
    # variance scaling "uniform", fan_avg: limit sqrt(3 / n) = sqrt(6 / (fan_in + fan_out)),
    # random_ops.random_uniform's seven ops (get_variable's default initializer)
    graph = tf.Graph()
    with graph.as_default():
        tf.get_variable("w", [100, 50], initializer=tf.glorot_uniform_initializer())
        ops = [op.name for op in graph.get_operations()][:7]
        limit = graph.get_operation_by_name("w/Initializer/random_uniform/max")
        value = limit.get_attr("value").float_val[0]
    assert ops == ["w/Initializer/random_uniform/" + n for n in (
        "shape", "min", "max", "RandomUniform", "sub", "mul")] + ["w/Initializer/random_uniform"]
    assert value == pytest.approx(math.sqrt(6.0 / 150), rel=1e-6)


def test_contrib_initializers_are_the_same_in_every_release(release):
    # contrib/layers/python/layers/initializers.py: identical code in every wheel
    # (only docstrings and one error message changed): stddev sqrt(1.3 * factor / n)
    ops, value = stddev_of(tf.contrib.layers.variance_scaling_initializer())
    assert ops[:6] == ["w/Initializer/" + n for n in TRUNCATED]
    assert value == pytest.approx(math.sqrt(1.3 * 2.0 / 100), rel=1e-6)
    _, value = stddev_of(tf.contrib.layers.xavier_initializer(uniform=False))
    assert value == pytest.approx(math.sqrt(1.3 / 75), rel=1e-6)


# -- batch normalization ---------------------------------------------------------------------

def variables(first, init="zeros", ones="ones"):
    second = "gamma" if first == "beta" else "beta"
    made = []
    for var, what in ((first, init if first == "beta" else ones),
                      (second, init if second == "beta" else ones),
                      ("moving_mean", init), ("moving_variance", ones)):
        made += [f"batch_normalization/{var}/Initializer/{what}", f"batch_normalization/{var}",
                 f"batch_normalization/{var}/Assign", f"batch_normalization/{var}/read"]
    return made


def bn_1_0():
    """normalization.py 1.0.1 call (1.1.0 the same) under Python 3, with nn_impl.py moments,
    sufficient_statistics, normalize_moments, and moving_averages.py, read op by op."""
    p = "DNN/batch_normalization/"
    moments = ["moments/Mean/reduction_indices", "moments/Mean", "moments/StopGradient"] + [
        "moments/sufficient_statistics/" + n for n in (
            "Shape", "Cast", "Gather/indices", "Gather", "Const", "count", "Sub",
            "SquaredDifference", "mean_ss/reduction_indices", "mean_ss",
            "var_ss/reduction_indices", "var_ss")] + [
        "moments/Shape", "moments/Reshape"] + ["moments/normalize/" + n for n in (
            "divisor", "shifted_mean", "mean", "Mul", "Square", "variance")]
    train = ["add/y", "add", "add/Switch", "Rsqrt", "mul", "mul/Switch", "mul_1", "mul_1/Switch",
             "mul_2", "mul_2/Switch", "sub", "sub/Switch", "add_1"]
    test = ["add/y", "add", "Rsqrt", "mul", "mul/Switch", "mul_1", "mul_1/Switch", "mul_2",
            "sub", "sub/Switch", "add_1"]
    ops = (["Reshape/shape", "Reshape", "Reshape_1/shape", "Reshape_1"] + moments
           + ["Reshape_2/shape", "Reshape_2", "Reshape_3/shape", "Reshape_3"]
           + [f"AssignMovingAvg{k}/{n}" for k in ("", "_1") for n in ("decay", "sub", "mul")]
           + ["cond/Switch", "cond/switch_t", "cond/switch_f", "cond/pred_id"]
           + ["cond/batchnorm/" + n for n in train]
           + ["cond/Reshape/shape", "cond/Reshape", "cond/Reshape/Switch",
              "cond/Reshape_1/shape", "cond/Reshape_1", "cond/Reshape_1/Switch"]
           + ["cond/batchnorm_1/" + n for n in test] + ["cond/Merge"])
    # the two AssignSub ops are named after their scopes, right after each one's mul
    ops.insert(ops.index("AssignMovingAvg/mul") + 1, "AssignMovingAvg")
    ops.insert(ops.index("AssignMovingAvg_1/mul") + 1, "AssignMovingAvg_1")
    return variables("beta", "Const", "Const") + [p + n for n in ops]


def mnist_bn(four_d=False):
    graph = tf.Graph()
    with graph.as_default():
        X = tf.placeholder(tf.float32, (None, 28, 28, 3) if four_d else (None, 784), name="X")
        training = tf.placeholder_with_default(False, shape=(), name="training")
        with tf.name_scope("DNN"):
            h = X if four_d else tf.layers.dense(X, 300, name="hidden1")
            before = len(graph.get_operations())
            out = tf.layers.batch_normalization(h, training=training, momentum=0.9)
        made = graph.get_operations()[before:]
        updates = graph.get_collection(tf.GraphKeys.UPDATE_OPS)
    return made, out, updates


def test_batch_normalization(release):
    made, out, updates = mnist_bn()
    m = minor(release)
    # counts: 1.0-1.1 cond around the output (Python 3); 1.2 _smart_select with 1.2's
    # shifted moments; 1.3-1.4 _smart_select, 8-op moments; 1.5+ conds (1.9+ in Keras);
    # in 1.6-1.7 each of the four initializers is array_ops.py's 3-op Fill: 8 more
    fills = 8 if m in (6, 7) else 0
    assert len(made) == (90 if m <= 1 else 74 if m == 2 else 68 if m <= 4 else 72 + fills)
    if m <= 1:
        assert [op.name for op in made] == bn_1_0()
        assert out.name == "DNN/batch_normalization/cond/Merge:0"
    else:
        assert out.name == "DNN/batch_normalization/batchnorm/add_1:0"
    order = [op.name for op in made if op.type == "VariableV2"]
    first = "beta" if m <= 3 else "gamma"  # build(): beta first up to 1.3.0
    assert order[0] == f"batch_normalization/{first}"
    # UPDATE_OPS: layers/base.py stored tensors up to 1.8; Keras's add_update the ops
    assert {isinstance(u, tf.Operation) for u in updates} == {m >= 9}
    assert len(updates) == 2


def test_fused_batch_normalization_updates(release):
    made, out, updates = mnist_bn(four_d=True)
    m = minor(release)
    names_ = [op.name.replace("DNN/batch_normalization/", "") for op in made]
    fused = {op.type for op in made if op.type.startswith("FusedBatchNorm")}
    if m <= 3:  # no fused argument before 1.3; 1.3's default fused=False
        assert not fused
        return
    # nn_impl.py fused_batch_norm: V3 only behind 1.15.5's forward_compatible(2019, 6, 6)
    assert fused == {"FusedBatchNormV3" if m == 15 else "FusedBatchNorm"}
    assert out.name == "DNN/batch_normalization/cond/Merge:0"
    if m <= 7:  # 1.4-1.7 the layer's _assign_moving_average: read, Sub, Mul, AssignSub
        tail = [f"AssignMovingAvg{k}/{n}" for k in ("", "_1") for n in ("read", "Sub", "Mul")]
    else:       # 1.8+: decay = 1 - momentum (a tensor here), sub, mul, AssignSub
        tail = [f"AssignMovingAvg{k}/{n}" for k in ("", "_1")
                for n in ("sub/x", "sub", "sub_1", "mul")]
    tail.insert(len(tail) // 2, "AssignMovingAvg")
    tail.append("AssignMovingAvg_1")
    assert names_[-len(tail):] == tail
    before = names_[:-len(tail)]
    if m == 4:  # _smart_select(training, 1 - momentum, 0.)
        assert before[-4:] == ["Reshape/shape", "Reshape", "Select", "Squeeze"]
    else:       # smart_cond(training, ...): cond_1 with its two Consts
        assert before[-7:] == ["cond_1/Switch", "cond_1/switch_t", "cond_1/switch_f",
                               "cond_1/pred_id", "cond_1/Const", "cond_1/Const_1",
                               "cond_1/Merge"]


@pytest.mark.parametrize("release", ["1.0", "1.2"], indirect=True)
def test_1_0_updates_the_moving_mean_even_when_not_training(release):
    # normalization.py 1.0.1 call: assign_moving_average(moving_mean, mean, momentum) made
    # outside any cond, so fetching UPDATE_OPS with training False still moved the average
    # by (1 - momentum) towards the batch mean; 1.2's selected decay of 1.0 left it alone
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    graph = tf.Graph()
    with graph.as_default():
        h = tf.placeholder(tf.float32, [None, 3])
        training = tf.placeholder_with_default(False, shape=())
        tf.layers.batch_normalization(h, training=training, momentum=0.9)
        update = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            sess.run(update, {h: x})
            moving = sess.run(tf.global_variables()[2])  # moving_mean
    expected = 0.1 * x.mean(axis=0) if release == "1.0" else np.zeros(3)
    np.testing.assert_allclose(moving, expected, rtol=1e-6)


def test_contrib_batch_norm_default_path(release):
    # contrib layers.py batch_norm: fused=False by default up to 1.3.0 (then the release's
    # tf.layers BatchNormalization for UPDATE_OPS); fused=None, meaning True, from 1.4.1,
    # and then 2-D inputs go through the fused kernel
    def build(h, t):
        tf.contrib.layers.batch_norm(h, is_training=t)
    ops = built(build)
    fused = {kind for _, kind in ops if kind.startswith("FusedBatchNorm")}
    m = minor(release)
    if m <= 3:
        assert not fused
        # 1.0-1.1: the cond around the output, in contrib's own scope (the layer re-entered
        # it with its original name scope: layers/base.py __call__)
        assert ("BatchNorm/cond/Merge" in names(ops)) == (m <= 1)
    else:
        assert fused == {"FusedBatchNormV3" if m == 15 else "FusedBatchNorm"}
    variables_ = [n for n, kind in ops if kind == "VariableV2"]
    assert variables_ == ["BatchNorm/beta", "BatchNorm/moving_mean", "BatchNorm/moving_variance"]


def test_nn_moments(release):
    ops = names(built(lambda h, t: tf.nn.moments(h, [0])))
    m = minor(release)
    # nn_impl.py moments: sufficient_statistics + normalize_moments (1.0-1.1, 23 ops);
    # shifted in place (1.2, 14); mean, StopGradient, SquaredDifference, variance (8)
    expected = 23 if m <= 1 else 14 if m == 2 else 8
    assert len(ops) == expected
    assert ops[-1] == ("moments/normalize/variance" if m <= 1 else "moments/Squeeze_1")
