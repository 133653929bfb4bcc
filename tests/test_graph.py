"""The notebook's graphs: names, shapes, parameter count, variants, seeds.

    .venv/bin/python -m pytest tests/test_graph.py -q

Expected names are the notebook's own (In [7], In [11], In [22] in
seeds/000_c5963ccd6037a953.txt); numbers are counted by hand.
"""

import dataclasses
import math

import numpy as np
import pytest

from tf1repro.cells.config import Config
from tf1repro.cells.graph import build, trainable_variable_names
from tf1repro.tfcompat import tf, v1

# In [22]'s output, verbatim.
NOTEBOOK_TRAINABLE = [
    'hidden1/kernel:0',
    'hidden1/bias:0',
    'batch_normalization/beta:0',
    'batch_normalization/gamma:0',
    'hidden2/kernel:0',
    'hidden2/bias:0',
    'batch_normalization_1/beta:0',
    'batch_normalization_1/gamma:0',
    'outputs/kernel:0',
    'outputs/bias:0',
    'batch_normalization_2/beta:0',
    'batch_normalization_2/gamma:0',
]

MOVING = [f"{scope}/{stat}:0"
          for scope in ("batch_normalization", "batch_normalization_1", "batch_normalization_2")
          for stat in ("moving_mean", "moving_variance")]

# 784*300 + 300 + 2*300 + 300*100 + 100 + 2*100 + 100*10 + 10 + 2*10
TRAINABLE_PARAMS = 267_430


@pytest.fixture(scope="module")
def cell11():
    return build(Config())


@pytest.fixture(scope="module")
def cell7():
    return build(Config(variant="cell7"))


def session(model):
    sess = v1.Session(graph=model.graph)
    sess.run(model.init)
    return sess


def variables(model, collection=None):
    with model.graph.as_default():
        return v1.get_collection(collection or v1.GraphKeys.GLOBAL_VARIABLES)


def by_name(model):
    return {v.name: v for v in variables(model)}


def random_batch(seed, n=200):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, (n, 784)).astype(np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    return X, y


# --- variables -------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["cell11", "cell7"])
def test_trainable_names_are_in22s_listing(cell11, cell7, variant):
    model = cell11 if variant == "cell11" else cell7
    assert trainable_variable_names(model) == NOTEBOOK_TRAINABLE


def test_moving_statistics_and_global_count(cell11):
    names = [v.name for v in variables(cell11)]
    assert len(names) == 18
    assert sorted(set(names) - set(NOTEBOOK_TRAINABLE)) == sorted(MOVING)
    trainable = {v.name for v in variables(cell11, v1.GraphKeys.TRAINABLE_VARIABLES)}
    assert not trainable & set(MOVING)


def test_trainable_parameter_count(cell11):
    assert 784 * 300 + 300 + 600 + 300 * 100 + 100 + 200 + 100 * 10 + 10 + 20 == TRAINABLE_PARAMS
    shapes = [v.shape.as_list() for v in variables(cell11, v1.GraphKeys.TRAINABLE_VARIABLES)]
    assert sum(math.prod(s) for s in shapes) == TRAINABLE_PARAMS
    assert shapes == [[784, 300], [300], [300], [300], [300, 100], [100], [100], [100],
                      [100, 10], [10], [10], [10]]


def test_six_update_ops(cell11):
    assert len(cell11.extra_update_ops) == 6
    with cell11.graph.as_default():
        assert list(v1.get_collection(v1.GraphKeys.UPDATE_OPS)) == list(cell11.extra_update_ops)


def test_update_ops_move_statistics_only_in_training(cell11):
    X, y = random_batch(1)
    moving = [by_name(cell11)[n] for n in MOVING]
    with session(cell11) as sess:
        before = sess.run(moving)
        sess.run(cell11.extra_update_ops, {cell11.X: X})  # training left at False
        sess.run(cell11.extra_update_ops, {cell11.X: X, cell11.training: False})
        for b, a in zip(before, sess.run(moving)):
            np.testing.assert_array_equal(a, b)
        sess.run(cell11.extra_update_ops, {cell11.X: X, cell11.training: True})
        for name, b, a in zip(MOVING, before, sess.run(moving)):
            assert np.all(a != b), name


# --- names, placeholders, scopes -----------------------------------------------------

def test_placeholders(cell11):
    assert cell11.X.name == "X:0" and cell11.X.op.type == "Placeholder"
    assert cell11.X.dtype == tf.float32 and cell11.X.shape.as_list() == [None, 784]
    assert cell11.y.name == "y:0" and cell11.y.op.type == "Placeholder"
    assert cell11.y.dtype == tf.int64 and cell11.y.shape.rank is None
    assert cell11.training.name == "training:0"
    assert cell11.training.op.type == "PlaceholderWithDefault"
    assert cell11.training.dtype == tf.bool and cell11.training.shape.as_list() == []
    with session(cell11) as sess:
        assert np.asarray(sess.run(cell11.training)).item() is False  # the default


def test_loss_name_and_scopes(cell11, cell7):
    assert cell11.loss.name == "loss/mse:0"
    assert cell7.loss.name == "loss/mse:0"
    ops11 = [op.name for op in cell11.graph.get_operations()]
    for scope in ("DNN/", "loss/", "train/", "eval/"):
        assert any(n.startswith(scope) for n in ops11), scope
    for layer in ("hidden1", "hidden2", "outputs", "batch_normalization",
                  "batch_normalization_1", "batch_normalization_2"):
        assert any(n.startswith(f"DNN/{layer}/") for n in ops11), layer
    ops7 = [op.name for op in cell7.graph.get_operations()]
    assert not any(n.startswith("DNN/") for n in ops7)
    assert any(n.startswith("hidden1/") for n in ops7)


def test_loss_and_accuracy_match_numpy(cell11):
    X, y = random_batch(2)
    with session(cell11) as sess:
        logits, loss, acc = sess.run([cell11.logits, cell11.loss, cell11.accuracy],
                                     {cell11.X: X, cell11.y: y})
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    assert loss == pytest.approx(-log_softmax[np.arange(len(y)), y].mean(), rel=1e-5)
    assert acc == pytest.approx((logits.argmax(axis=1) == y).mean(), abs=1e-6)


# --- initial kernels --------------------------------------------------------------------

def initial(model, name):
    with session(model) as sess:
        return sess.run(by_name(model)[name]).astype(np.float64)


def test_cell11_kernel_is_contrib_he_init(cell11):
    sigma = math.sqrt(1.3 * 2.0 / 784)  # 0.05759
    k = initial(cell11, "hidden1/kernel:0")
    assert np.abs(k).max() <= 2 * sigma * (1 + 1e-6)
    # Std of a normal truncated at 2 sigma is 0.8796 sigma = 0.0506. Relative
    # standard error of a sample std over 235,200 draws with kurtosis 2.37:
    # sqrt(1.37 / (4 n)) = 0.12%; 1% is ~8 standard errors, and glorot (0.0430)
    # or untruncated He (0.0576) are both far outside it.
    assert k.std() == pytest.approx(0.0506555, rel=0.01)
    assert abs(k.mean()) < 5 * 0.0507 / math.sqrt(k.size)


def test_cell7_kernel_is_glorot_uniform(cell7):
    limit = math.sqrt(6.0 / (784 + 300))  # 0.0744
    k = initial(cell7, "hidden1/kernel:0")
    assert np.abs(k).max() <= limit
    assert np.abs(k).max() > 0.999 * limit
    # Uniform: kurtosis 1.8, relative standard error of the std sqrt(0.8 / (4 n))
    # = 0.09% over 235,200 draws; 1% is ~11 standard errors.
    assert k.std() == pytest.approx(limit / math.sqrt(3), rel=0.01)


# --- cell7 vs cell11 -------------------------------------------------------------------

def logits_layer_input(model):
    """The first input of the forward MatMul whose kernel is outputs/kernel
    (the backward pass, under train/, reads the kernel too)."""
    def source(tensor):
        op = tensor.op
        while op.type in ("ReadVariableOp", "Identity"):
            op = op.inputs[0].op
        return op.name

    matmuls = [op for op in model.graph.get_operations()
               if op.type == "MatMul" and not op.name.startswith("train/")
               and source(op.inputs[1]) == "outputs/kernel"]
    assert len(matmuls) == 1, [op.name for op in matmuls]
    return matmuls[0].inputs[0]


def test_cell11_logits_read_elu(cell11):
    assert logits_layer_input(cell11).op.type == "Elu"


def test_cell7_logits_read_second_batch_norm(cell7):
    t = logits_layer_input(cell7)
    assert t.op.type != "Elu"
    assert t.op.name.startswith("batch_normalization_1/")
    # Numerically: in training mode with gamma = 1, beta = 0, a batch-norm
    # output has zero column means and variance var / (var + eps); an ELU
    # output could not (its values are bounded below by -1 and its means > 0).
    X, _ = random_batch(3)
    with session(cell7) as sess:
        value = sess.run(t, {cell7.X: X, cell7.training: True}).astype(np.float64)
    assert value.shape == (200, 100)
    assert np.abs(value.mean(axis=0)).max() < 1e-5
    assert np.all(value.var(axis=0) > 0.9) and np.all(value.var(axis=0) <= 1 + 1e-5)
    assert value.min() < -1.5


def test_unknown_variant_is_rejected():
    with pytest.raises(ValueError):
        build(Config(variant="cell99"))


# --- seeds --------------------------------------------------------------------------------

def initial_values(model):
    with session(model) as sess:
        return {v.name: sess.run(v) for v in variables(model)}


def test_same_seed_same_initial_variables():
    a = initial_values(build(Config(seed=5)))
    b = initial_values(build(Config(seed=5)))
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_different_seeds_different_kernels():
    a = initial_values(build(Config(seed=5)))
    b = initial_values(build(Config(seed=6)))
    for name in ("hidden1/kernel:0", "hidden2/kernel:0", "outputs/kernel:0"):
        assert not np.array_equal(a[name], b[name]), name


# --- training ------------------------------------------------------------------------------

def test_training_steps_change_all_weights_and_lower_the_loss():
    model = build(dataclasses.replace(Config(), seed=3))
    X, y = random_batch(4)
    feed = {model.X: X, model.y: y, model.training: True}
    trainable = variables(model, v1.GraphKeys.TRAINABLE_VARIABLES)
    with session(model) as sess:
        before = sess.run(trainable)
        loss0 = sess.run(model.loss, feed)
        sess.run(model.training_op, feed)
        after = sess.run(trainable)
        for v, b, a in zip(trainable, before, after):
            assert not np.array_equal(a, b), v.name
        for _ in range(5):
            sess.run([model.training_op, model.extra_update_ops], feed)
        loss6 = sess.run(model.loss, feed)
    assert loss6 < 0.8 * loss0, (loss0, loss6)
