"""tf.layers.batch_normalization op for op, per TF 1.x release (issue 13).

Under ``import tf1repro.tf1 as tf`` (reference variables) the ops the layer
makes on TF 1.x's MNIST graph (``X [None, 784] -> dense(300, name='hidden1') ->
batch norm`` in ``name_scope('DNN')``, ``training`` a placeholder_with_default)
are the ops each release's own sources give: names, order, count (74 for 1.2,
68 for 1.3, 72 for 1.8 and 1.15), with one documented rename for 1.2.  Then
UPDATE_OPS, the variable order, the fused 4-D path and defaults, and the
numbers against NumPy, for each release.

    .venv/bin/python -m pytest tests/test_bn_releases.py -q
"""

import numpy as np
import pytest

import tf1repro.tf1 as tf

EPS = 1e-3


_UNSET = object()


def mnist_bn(fused=_UNSET, four_d=False, **kwargs):
    """The notebook's graph; returns (graph, ops the batch norm made, output, training)."""
    graph = tf.Graph()
    with graph.as_default():
        shape = (None, 28, 28, 3) if four_d else (None, 784)
        X = tf.placeholder(tf.float32, shape=shape, name="X")
        training = tf.placeholder_with_default(False, shape=(), name="training")
        with tf.name_scope("DNN"):
            h = X if four_d else tf.layers.dense(X, 300, name="hidden1")
            before = len(graph.get_operations())
            if fused is not _UNSET:
                kwargs["fused"] = fused
            out = tf.layers.batch_normalization(h, training=training, momentum=0.9, **kwargs)
        made = graph.get_operations()[before:]
    return graph, made, out, training


@pytest.fixture
def release(request, monkeypatch):
    monkeypatch.setenv("TF1REPRO_TF1_RELEASE", request.param)
    return request.param


# Both 1.2 and 1.3 (beta first; no cond: the _smart_select path, updates always run):
# the four variables, then after the moments the selects, updates and batchnorm tail.
VARIABLES_BETA_FIRST = [
    "batch_normalization/beta/Initializer/zeros",
    "batch_normalization/beta",
    "batch_normalization/beta/Assign",
    "batch_normalization/beta/read",
    "batch_normalization/gamma/Initializer/ones",
    "batch_normalization/gamma",
    "batch_normalization/gamma/Assign",
    "batch_normalization/gamma/read",
    "batch_normalization/moving_mean/Initializer/zeros",
    "batch_normalization/moving_mean",
    "batch_normalization/moving_mean/Assign",
    "batch_normalization/moving_mean/read",
    "batch_normalization/moving_variance/Initializer/ones",
    "batch_normalization/moving_variance",
    "batch_normalization/moving_variance/Assign",
    "batch_normalization/moving_variance/read",
]

SELECT_TAIL = [
    "DNN/batch_normalization/moments/Squeeze",
    "DNN/batch_normalization/moments/Squeeze_1",
    "DNN/batch_normalization/ExpandDims/dim",
    "DNN/batch_normalization/ExpandDims",
    "DNN/batch_normalization/ExpandDims_1/dim",
    "DNN/batch_normalization/ExpandDims_1",
    "DNN/batch_normalization/Reshape/shape",
    "DNN/batch_normalization/Reshape",
    "DNN/batch_normalization/Select",
    "DNN/batch_normalization/Squeeze",
    "DNN/batch_normalization/ExpandDims_2/dim",
    "DNN/batch_normalization/ExpandDims_2",
    "DNN/batch_normalization/ExpandDims_3/dim",
    "DNN/batch_normalization/ExpandDims_3",
    "DNN/batch_normalization/Reshape_1/shape",
    "DNN/batch_normalization/Reshape_1",
    "DNN/batch_normalization/Select_1",
    "DNN/batch_normalization/Squeeze_1",
    "DNN/batch_normalization/ExpandDims_4/input",
    "DNN/batch_normalization/ExpandDims_4/dim",
    "DNN/batch_normalization/ExpandDims_4",
    "DNN/batch_normalization/ExpandDims_5/input",
    "DNN/batch_normalization/ExpandDims_5/dim",
    "DNN/batch_normalization/ExpandDims_5",
    "DNN/batch_normalization/Reshape_2/shape",
    "DNN/batch_normalization/Reshape_2",
    "DNN/batch_normalization/Select_2",
    "DNN/batch_normalization/Squeeze_2",
    "DNN/batch_normalization/AssignMovingAvg/sub/x",
    "DNN/batch_normalization/AssignMovingAvg/sub",
    "DNN/batch_normalization/AssignMovingAvg/sub_1",
    "DNN/batch_normalization/AssignMovingAvg/mul",
    "DNN/batch_normalization/AssignMovingAvg",
    "DNN/batch_normalization/AssignMovingAvg_1/sub/x",
    "DNN/batch_normalization/AssignMovingAvg_1/sub",
    "DNN/batch_normalization/AssignMovingAvg_1/sub_1",
    "DNN/batch_normalization/AssignMovingAvg_1/mul",
    "DNN/batch_normalization/AssignMovingAvg_1",
    "DNN/batch_normalization/batchnorm/add/y",
    "DNN/batch_normalization/batchnorm/add",
    "DNN/batch_normalization/batchnorm/Rsqrt",
    "DNN/batch_normalization/batchnorm/mul",
    "DNN/batch_normalization/batchnorm/mul_1",
    "DNN/batch_normalization/batchnorm/mul_2",
    "DNN/batch_normalization/batchnorm/sub",
    "DNN/batch_normalization/batchnorm/add_1",
]


# TF 1.2.1 (tensorflow-1.2.1-cp36 wheel): python/layers/normalization.py (beta first,
# _smart_select, no cond), python/ops/nn_impl.py (shifted moments), training/moving_averages.py.
# Hand-derived in research/batchnorm.md; TF 2.21 renames moments/mean (see RENAMED_12).
TF12 = VARIABLES_BETA_FIRST + [
    "DNN/batch_normalization/moments/Mean/reduction_indices",
    "DNN/batch_normalization/moments/Mean",
    "DNN/batch_normalization/moments/StopGradient",
    "DNN/batch_normalization/moments/Sub",
    "DNN/batch_normalization/moments/shifted_mean/reduction_indices",
    "DNN/batch_normalization/moments/shifted_mean",
    "DNN/batch_normalization/moments/SquaredDifference",
    "DNN/batch_normalization/moments/Mean_1/reduction_indices",
    "DNN/batch_normalization/moments/Mean_1",
    "DNN/batch_normalization/moments/Square",
    "DNN/batch_normalization/moments/variance",
    "DNN/batch_normalization/moments/mean",
] + SELECT_TAIL


# TF 1.3.0 (tensorflow-1.3.0-cp36 wheel): python/layers/normalization.py, python/ops/nn_impl.py
# (8-op moments), training/moving_averages.py; research/batchnorm.md, re-created by its emulator.
TF13 = VARIABLES_BETA_FIRST + [
    "DNN/batch_normalization/moments/mean/reduction_indices",
    "DNN/batch_normalization/moments/mean",
    "DNN/batch_normalization/moments/StopGradient",
    "DNN/batch_normalization/moments/SquaredDifference",
    "DNN/batch_normalization/moments/variance/reduction_indices",
    "DNN/batch_normalization/moments/variance",
] + SELECT_TAIL


# TF 1.8.0 (tensorflow-1.8.0-cp36 wheel): python/layers/normalization.py (gamma first, a cond per
# moment and per update), training/moving_averages.py; research/batchnorm.md, emulated too.
TF18 = [
    "batch_normalization/gamma/Initializer/ones",
    "batch_normalization/gamma",
    "batch_normalization/gamma/Assign",
    "batch_normalization/gamma/read",
    "batch_normalization/beta/Initializer/zeros",
    "batch_normalization/beta",
    "batch_normalization/beta/Assign",
    "batch_normalization/beta/read",
    "batch_normalization/moving_mean/Initializer/zeros",
    "batch_normalization/moving_mean",
    "batch_normalization/moving_mean/Assign",
    "batch_normalization/moving_mean/read",
    "batch_normalization/moving_variance/Initializer/ones",
    "batch_normalization/moving_variance",
    "batch_normalization/moving_variance/Assign",
    "batch_normalization/moving_variance/read",
    "DNN/batch_normalization/moments/mean/reduction_indices",
    "DNN/batch_normalization/moments/mean",
    "DNN/batch_normalization/moments/StopGradient",
    "DNN/batch_normalization/moments/SquaredDifference",
    "DNN/batch_normalization/moments/variance/reduction_indices",
    "DNN/batch_normalization/moments/variance",
    "DNN/batch_normalization/moments/Squeeze",
    "DNN/batch_normalization/moments/Squeeze_1",
    "DNN/batch_normalization/cond/Switch",
    "DNN/batch_normalization/cond/switch_t",
    "DNN/batch_normalization/cond/switch_f",
    "DNN/batch_normalization/cond/pred_id",
    "DNN/batch_normalization/cond/Switch_1",
    "DNN/batch_normalization/cond/Switch_2",
    "DNN/batch_normalization/cond/Merge",
    "DNN/batch_normalization/cond_1/Switch",
    "DNN/batch_normalization/cond_1/switch_t",
    "DNN/batch_normalization/cond_1/switch_f",
    "DNN/batch_normalization/cond_1/pred_id",
    "DNN/batch_normalization/cond_1/Switch_1",
    "DNN/batch_normalization/cond_1/Switch_2",
    "DNN/batch_normalization/cond_1/Merge",
    "DNN/batch_normalization/cond_2/Switch",
    "DNN/batch_normalization/cond_2/switch_t",
    "DNN/batch_normalization/cond_2/switch_f",
    "DNN/batch_normalization/cond_2/pred_id",
    "DNN/batch_normalization/cond_2/AssignMovingAvg/decay",
    "DNN/batch_normalization/cond_2/AssignMovingAvg/sub",
    "DNN/batch_normalization/cond_2/AssignMovingAvg/sub/Switch",
    "DNN/batch_normalization/cond_2/AssignMovingAvg/sub/Switch_1",
    "DNN/batch_normalization/cond_2/AssignMovingAvg/mul",
    "DNN/batch_normalization/cond_2/AssignMovingAvg",
    "DNN/batch_normalization/cond_2/AssignMovingAvg/Switch",
    "DNN/batch_normalization/cond_2/Switch_1",
    "DNN/batch_normalization/cond_2/Merge",
    "DNN/batch_normalization/cond_3/Switch",
    "DNN/batch_normalization/cond_3/switch_t",
    "DNN/batch_normalization/cond_3/switch_f",
    "DNN/batch_normalization/cond_3/pred_id",
    "DNN/batch_normalization/cond_3/AssignMovingAvg/decay",
    "DNN/batch_normalization/cond_3/AssignMovingAvg/sub",
    "DNN/batch_normalization/cond_3/AssignMovingAvg/sub/Switch",
    "DNN/batch_normalization/cond_3/AssignMovingAvg/sub/Switch_1",
    "DNN/batch_normalization/cond_3/AssignMovingAvg/mul",
    "DNN/batch_normalization/cond_3/AssignMovingAvg",
    "DNN/batch_normalization/cond_3/AssignMovingAvg/Switch",
    "DNN/batch_normalization/cond_3/Switch_1",
    "DNN/batch_normalization/cond_3/Merge",
    "DNN/batch_normalization/batchnorm/add/y",
    "DNN/batch_normalization/batchnorm/add",
    "DNN/batch_normalization/batchnorm/Rsqrt",
    "DNN/batch_normalization/batchnorm/mul",
    "DNN/batch_normalization/batchnorm/mul_1",
    "DNN/batch_normalization/batchnorm/mul_2",
    "DNN/batch_normalization/batchnorm/sub",
    "DNN/batch_normalization/batchnorm/add_1",
]


# TF 1.15.5 (tensorflow-1.15.5-cp37 wheel): tensorflow_core/python/keras/layers/normalization.py
# via python/layers/normalization.py; the same ops as 1.8 (research/batchnorm.md).
TF115 = TF18  # read op for op in both wheels: the same 72 names


# TF 1.8.0 fused 4-D ([None, 28, 28, 3], no dense): normalization.py _fused_batch_norm l.371-419,
# nn_impl.py fused_batch_norm (float32: gen_nn_ops._fused_batch_norm, op FusedBatchNorm).
TF18_4D = [
    "batch_normalization/gamma/Initializer/ones",
    "batch_normalization/gamma",
    "batch_normalization/gamma/Assign",
    "batch_normalization/gamma/read",
    "batch_normalization/beta/Initializer/zeros",
    "batch_normalization/beta",
    "batch_normalization/beta/Assign",
    "batch_normalization/beta/read",
    "batch_normalization/moving_mean/Initializer/zeros",
    "batch_normalization/moving_mean",
    "batch_normalization/moving_mean/Assign",
    "batch_normalization/moving_mean/read",
    "batch_normalization/moving_variance/Initializer/ones",
    "batch_normalization/moving_variance",
    "batch_normalization/moving_variance/Assign",
    "batch_normalization/moving_variance/read",
    "DNN/batch_normalization/cond/Switch",
    "DNN/batch_normalization/cond/switch_t",
    "DNN/batch_normalization/cond/switch_f",
    "DNN/batch_normalization/cond/pred_id",
    "DNN/batch_normalization/cond/Const",
    "DNN/batch_normalization/cond/Const_1",
    "DNN/batch_normalization/cond/FusedBatchNorm",
    "DNN/batch_normalization/cond/FusedBatchNorm/Switch",
    "DNN/batch_normalization/cond/FusedBatchNorm/Switch_1",
    "DNN/batch_normalization/cond/FusedBatchNorm/Switch_2",
    "DNN/batch_normalization/cond/FusedBatchNorm_1",
    "DNN/batch_normalization/cond/FusedBatchNorm_1/Switch",
    "DNN/batch_normalization/cond/FusedBatchNorm_1/Switch_1",
    "DNN/batch_normalization/cond/FusedBatchNorm_1/Switch_2",
    "DNN/batch_normalization/cond/FusedBatchNorm_1/Switch_3",
    "DNN/batch_normalization/cond/FusedBatchNorm_1/Switch_4",
    "DNN/batch_normalization/cond/Merge",
    "DNN/batch_normalization/cond/Merge_1",
    "DNN/batch_normalization/cond/Merge_2",
    "DNN/batch_normalization/cond_1/Switch",
    "DNN/batch_normalization/cond_1/switch_t",
    "DNN/batch_normalization/cond_1/switch_f",
    "DNN/batch_normalization/cond_1/pred_id",
    "DNN/batch_normalization/cond_1/Const",
    "DNN/batch_normalization/cond_1/Const_1",
    "DNN/batch_normalization/cond_1/Merge",
    "DNN/batch_normalization/AssignMovingAvg/sub/x",
    "DNN/batch_normalization/AssignMovingAvg/sub",
    "DNN/batch_normalization/AssignMovingAvg/sub_1",
    "DNN/batch_normalization/AssignMovingAvg/mul",
    "DNN/batch_normalization/AssignMovingAvg",
    "DNN/batch_normalization/AssignMovingAvg_1/sub/x",
    "DNN/batch_normalization/AssignMovingAvg_1/sub",
    "DNN/batch_normalization/AssignMovingAvg_1/sub_1",
    "DNN/batch_normalization/AssignMovingAvg_1/mul",
    "DNN/batch_normalization/AssignMovingAvg_1",
]


# TF 1.15.5 fused 4-D: keras/layers/normalization.py _fused_batch_norm l.485-559 (op FusedBatchNormV3).
TF115_4D = [
    "batch_normalization/gamma/Initializer/ones",
    "batch_normalization/gamma",
    "batch_normalization/gamma/Assign",
    "batch_normalization/gamma/read",
    "batch_normalization/beta/Initializer/zeros",
    "batch_normalization/beta",
    "batch_normalization/beta/Assign",
    "batch_normalization/beta/read",
    "batch_normalization/moving_mean/Initializer/zeros",
    "batch_normalization/moving_mean",
    "batch_normalization/moving_mean/Assign",
    "batch_normalization/moving_mean/read",
    "batch_normalization/moving_variance/Initializer/ones",
    "batch_normalization/moving_variance",
    "batch_normalization/moving_variance/Assign",
    "batch_normalization/moving_variance/read",
    "DNN/batch_normalization/cond/Switch",
    "DNN/batch_normalization/cond/switch_t",
    "DNN/batch_normalization/cond/switch_f",
    "DNN/batch_normalization/cond/pred_id",
    "DNN/batch_normalization/cond/Const",
    "DNN/batch_normalization/cond/Const_1",
    "DNN/batch_normalization/cond/FusedBatchNormV3",
    "DNN/batch_normalization/cond/FusedBatchNormV3/Switch",
    "DNN/batch_normalization/cond/FusedBatchNormV3/Switch_1",
    "DNN/batch_normalization/cond/FusedBatchNormV3/Switch_2",
    "DNN/batch_normalization/cond/FusedBatchNormV3_1",
    "DNN/batch_normalization/cond/FusedBatchNormV3_1/Switch",
    "DNN/batch_normalization/cond/FusedBatchNormV3_1/Switch_1",
    "DNN/batch_normalization/cond/FusedBatchNormV3_1/Switch_2",
    "DNN/batch_normalization/cond/FusedBatchNormV3_1/Switch_3",
    "DNN/batch_normalization/cond/FusedBatchNormV3_1/Switch_4",
    "DNN/batch_normalization/cond/Merge",
    "DNN/batch_normalization/cond/Merge_1",
    "DNN/batch_normalization/cond/Merge_2",
    "DNN/batch_normalization/cond_1/Switch",
    "DNN/batch_normalization/cond_1/switch_t",
    "DNN/batch_normalization/cond_1/switch_f",
    "DNN/batch_normalization/cond_1/pred_id",
    "DNN/batch_normalization/cond_1/Const",
    "DNN/batch_normalization/cond_1/Const_1",
    "DNN/batch_normalization/cond_1/Merge",
    "DNN/batch_normalization/AssignMovingAvg/sub/x",
    "DNN/batch_normalization/AssignMovingAvg/sub",
    "DNN/batch_normalization/AssignMovingAvg/sub_1",
    "DNN/batch_normalization/AssignMovingAvg/mul",
    "DNN/batch_normalization/AssignMovingAvg",
    "DNN/batch_normalization/AssignMovingAvg_1/sub/x",
    "DNN/batch_normalization/AssignMovingAvg_1/sub",
    "DNN/batch_normalization/AssignMovingAvg_1/sub_1",
    "DNN/batch_normalization/AssignMovingAvg_1/mul",
    "DNN/batch_normalization/AssignMovingAvg_1",
]


# TF 1.2's unique_name was case-sensitive (ops.py 1.2: ``self._names_in_use.get(name, 0)``),
# so ``moments/mean`` (the Add) sat next to ``moments/Mean`` (the first reduce_mean);
# TF 2.21 lowercases names in use, and ``mean``, ``mean_1`` are taken: ``mean_2``.
RENAMED_12 = {"DNN/batch_normalization/moments/mean": "DNN/batch_normalization/moments/mean_2"}

EXPECTED = {"1.2": [RENAMED_12.get(n, n) for n in TF12], "1.3": TF13, "1.8": TF18,
            "1.15": TF115}


@pytest.mark.parametrize("release, count", [("1.2", 74), ("1.3", 68), ("1.8", 72), ("1.15", 72)],
                         indirect=["release"])
def test_ops_names_order_and_count_are_the_releases(release, count):
    graph, made, out, _ = mnist_bn()
    names = [op.name for op in made]
    assert len(names) == count
    assert names == EXPECTED[release]
    assert out.name == "DNN/batch_normalization/batchnorm/add_1:0"


def test_the_one_rename_of_1_2_is_the_case_insensitive_collision(monkeypatch):
    monkeypatch.setenv("TF1REPRO_TF1_RELEASE", "1.2")
    graph, made, _, _ = mnist_bn()
    by_name = {op.name: op for op in made}
    # The Add named ``moments/mean`` in 1.2 is there, in its place, as ``mean_2``.
    assert by_name["DNN/batch_normalization/moments/mean_2"].type == "AddV2"
    assert by_name["DNN/batch_normalization/moments/Mean"].type == "Mean"
    assert [op.name for op in made].index("DNN/batch_normalization/moments/mean_2") == \
        TF12.index("DNN/batch_normalization/moments/mean")


@pytest.mark.parametrize("release, updates", [
    ("1.2", ["DNN/batch_normalization/AssignMovingAvg:0",
             "DNN/batch_normalization/AssignMovingAvg_1:0"]),
    ("1.3", ["DNN/batch_normalization/AssignMovingAvg:0",
             "DNN/batch_normalization/AssignMovingAvg_1:0"]),
    # 1.8: tf.layers base.py add_update stored tensors
    ("1.8", ["DNN/batch_normalization/cond_2/Merge:0", "DNN/batch_normalization/cond_3/Merge:0"]),
    # 1.15: tf-keras's add_update stored the Operations
    ("1.15", ["DNN/batch_normalization/cond_2/Merge", "DNN/batch_normalization/cond_3/Merge"]),
], indirect=["release"])
def test_update_ops_per_release(release, updates):
    graph, _, _, _ = mnist_bn()
    with graph.as_default():
        collected = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert [u.name for u in collected] == updates
    types = {u.type if isinstance(u, tf.Operation) else u.op.type for u in collected}
    assert types == ({"AssignSub"} if release in ("1.2", "1.3") else {"Merge"})


@pytest.mark.parametrize("release, first", [("1.2", "beta"), ("1.3", "beta"), ("1.8", "gamma"),
                                            ("1.15", "gamma")], indirect=["release"])
def test_variable_order(release, first):
    graph, _, _, _ = mnist_bn()
    with graph.as_default():
        names = [v.op.name for v in tf.global_variables()]
    second = "gamma" if first == "beta" else "beta"
    assert names == ["hidden1/kernel", "hidden1/bias"] + [
        f"batch_normalization/{n}" for n in (first, second, "moving_mean", "moving_variance")]
    assert all(v.dtype._is_ref_dtype for v in tf.global_variables())  # reference variables


@pytest.mark.parametrize("release, expected, op_type", [
    ("1.8", TF18_4D, "FusedBatchNorm"), ("1.15", TF115_4D, "FusedBatchNormV3")],
    indirect=["release"])
def test_fused_4d_ops_are_the_releases(release, expected, op_type):
    _, made, out, _ = mnist_bn(four_d=True)  # fused=None: fused for 4-D from 1.4
    assert [op.name for op in made] == expected
    assert {op.type for op in made if op.name.endswith(("/FusedBatchNorm", "/FusedBatchNormV3",
                                                        "/FusedBatchNorm_1",
                                                        "/FusedBatchNormV3_1"))} == {op_type}
    assert out.name == "DNN/batch_normalization/cond/Merge:0"


def test_fused_in_1_3_only_when_asked(monkeypatch):
    monkeypatch.setenv("TF1REPRO_TF1_RELEASE", "1.3")
    _, made, _, _ = mnist_bn(four_d=True)  # 1.3's default fused=False: the plain path
    assert not any("Fused" in op.type for op in made)
    assert "DNN/batch_normalization/Select_2" in [op.name for op in made]
    for fused in (True, None):  # None: "fused if possible", but not the default
        graph, made, _, _ = mnist_bn(fused=fused, four_d=True)
        names = [op.name for op in made]
        assert {op.type for op in made if "Fused" in op.type} == {"FusedBatchNorm"}
        # the decay by _smart_select, then the two unconditional updates (normalization.py 1.3 l.276-283)
        assert names[-20:-10] == [f"DNN/batch_normalization/{n}" for n in (
            "ExpandDims/input", "ExpandDims/dim", "ExpandDims", "ExpandDims_1/input",
            "ExpandDims_1/dim", "ExpandDims_1", "Reshape/shape", "Reshape", "Select", "Squeeze")]
        assert names[-10:] == [f"DNN/batch_normalization/{n}" for n in (
            "AssignMovingAvg/sub/x", "AssignMovingAvg/sub", "AssignMovingAvg/sub_1",
            "AssignMovingAvg/mul", "AssignMovingAvg", "AssignMovingAvg_1/sub/x",
            "AssignMovingAvg_1/sub", "AssignMovingAvg_1/sub_1", "AssignMovingAvg_1/mul",
            "AssignMovingAvg_1")]


def test_1_2_has_no_fused_argument(monkeypatch):
    monkeypatch.setenv("TF1REPRO_TF1_RELEASE", "1.2")
    with pytest.raises(TypeError, match="unexpected keyword argument 'fused'"):
        mnist_bn(fused=False)
    _, made, _, _ = mnist_bn(four_d=True)  # never fused in 1.2
    assert not any("Fused" in op.type for op in made)


# --- numbers: each release against NumPy, with reference variables ---------------------------

@pytest.mark.parametrize("release", ["1.2", "1.3", "1.8", "1.15"], indirect=True)
@pytest.mark.parametrize("four_d", [False, True])
def test_numbers_against_numpy(release, four_d):
    rng = np.random.default_rng(3)
    graph = tf.Graph()
    with graph.as_default():
        shape = [None, 3, 4, 5] if four_d else [None, 5]
        x = tf.placeholder(tf.float32, shape)
        t = tf.placeholder_with_default(False, shape=())
        z = tf.layers.batch_normalization(x, training=t, momentum=0.9)
        by_name = {v.op.name.split("/")[-1]: v for v in tf.global_variables()}
        updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        grads = tf.gradients(tf.reduce_sum(z * z), [x])
        gamma = rng.uniform(0.5, 2.0, 5).astype(np.float32)
        beta = rng.normal(0, 1, 5).astype(np.float32)
        mm = rng.normal(0, 2, 5).astype(np.float32)
        mv = rng.uniform(0.2, 4.0, 5).astype(np.float32)
        batch = (rng.uniform(-3, 3, 5) + rng.uniform(0.5, 3, 5) *
                 rng.standard_normal((8, 3, 4, 5) if four_d else (64, 5))).astype(np.float32)
        axes = tuple(range(batch.ndim - 1))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for name, value in (("gamma", gamma), ("beta", beta), ("moving_mean", mm),
                                ("moving_variance", mv)):
                by_name[name].load(value, sess)
            b64 = batch.astype(np.float64)
            mu, var = b64.mean(axis=axes), b64.var(axis=axes)
            got = sess.run(z, {x: batch, t: True})
            np.testing.assert_allclose(got, gamma * (b64 - mu) / np.sqrt(var + EPS) + beta,
                                       rtol=1e-4, atol=1e-4)
            got = sess.run(z, {x: batch})
            np.testing.assert_allclose(got, gamma * (b64 - mm) / np.sqrt(mv + EPS) + beta,
                                       rtol=1e-4, atol=1e-4)
            # d/dx sum(z^2) in training: through the batch mean and variance.
            x_hat = (b64 - mu) / np.sqrt(var + EPS)
            g = 2 * (gamma * x_hat + beta)
            m = np.prod([batch.shape[a] for a in axes])
            dx = (1.0 / m) * gamma / np.sqrt(var + EPS) * (
                m * g - g.sum(axis=axes) - x_hat * (g * x_hat).sum(axis=axes))
            np.testing.assert_allclose(sess.run(grads[0], {x: batch, t: True}), dx,
                                       rtol=1e-3, atol=1e-3)
            # Updates with training False change nothing (1.2/1.3: decay 1.0; 1.8+: conds).
            sess.run(updates, {x: batch})
            np.testing.assert_array_equal(sess.run(by_name["moving_mean"]), mm)
            np.testing.assert_array_equal(sess.run(by_name["moving_variance"]), mv)
            sess.run(updates, {x: batch, t: True})
            # The fused kernel (4-D, 1.8/1.15) hands the unbiased variance to the average.
            fused = four_d and release in ("1.8", "1.15")
            v = var * m / (m - 1) if fused else var
            np.testing.assert_allclose(sess.run(by_name["moving_mean"]), mm - (mm - mu) * 0.1,
                                       rtol=1e-5, atol=1e-5)
            np.testing.assert_allclose(sess.run(by_name["moving_variance"]),
                                       mv - (mv - v) * 0.1, rtol=1e-5, atol=1e-5)
