"""tf1repro.runtime.layers against references written here: NumPy for batch norm (the
seed's equations 1-4 and their backward pass), closed forms for the
initializers, and tf-keras's legacy ``tf.compat.v1.layers`` in a subprocess.

    .venv/bin/python -m pytest tests/test_layers.py -q
"""

import math
import os
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from tf1repro.runtime import layers
from tf1repro.tfcompat import tf, v1

EPS = 1e-3  # tf.layers.batch_normalization's default epsilon


# --- NumPy reference: the seed's equations 1-4, in float64 -------------------

def np_bn_train(x, gamma, beta, eps=EPS):
    """(1) mu_B, (2) biased sigma_B^2, (3) x_hat, (4) z = gamma x_hat + beta."""
    x = x.astype(np.float64)
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta, mu, var, x_hat


def np_bn_infer(x, gamma, beta, moving_mean, moving_variance, eps=EPS):
    return gamma * (x - moving_mean) / np.sqrt(moving_variance + eps) + beta


def np_bn_backward(g, x, gamma, eps=EPS):
    """Gradients of L given g = dL/dz, through mu_B and sigma_B^2.

    With s = 1/sqrt(var + eps) and x_hat = (x - mu) s:
      dL/dx_hat = g gamma
      dL/dvar   = sum(g gamma (x - mu)) * (-1/2) s^3
      dL/dmu    = -s sum(g gamma)   (the dvar term's sum(x - mu) is 0)
      dL/dx     = g gamma s + dvar 2 (x - mu)/m + dmu/m
                = (1/m) gamma s (m g - sum(g) - x_hat sum(g x_hat))
    """
    m = x.shape[0]
    _, _, var, x_hat = np_bn_train(x, gamma, np.zeros_like(gamma), eps)
    dbeta = g.sum(axis=0)
    dgamma = (g * x_hat).sum(axis=0)
    dx = (1.0 / m) * gamma / np.sqrt(var + eps) * (
        m * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0))
    return dx, dgamma, dbeta


def random_batch(rng, m=64, n=7):
    """Columns with different means and scales; one near-constant column so
    epsilon is not negligible next to the batch variance."""
    loc = rng.uniform(-3.0, 3.0, n)
    scale = rng.uniform(0.5, 3.0, n)
    scale[0] = 0.02
    loc[0] = 0.1
    return (loc + scale * rng.standard_normal((m, n))).astype(np.float32)


def assert_close(actual, expected, rtol=1e-5):
    """Relative to the array's own magnitude, so near-zero entries don't demand
    more than float32 can give (float32 eps is 1.2e-7; a few dozen ops)."""
    expected = np.asarray(expected, np.float64)
    scale = max(1.0, float(np.abs(expected).max()))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=rtol * scale)


# --- a one-layer batch-norm graph --------------------------------------------

class BNGraph:
    def __init__(self, n_units=7, momentum=0.9, training="placeholder"):
        self.graph = tf.Graph()
        with self.graph.as_default():
            v1.set_random_seed(0)
            self.x = v1.placeholder(tf.float32, [None, n_units], name="x")
            self.training = v1.placeholder_with_default(False, shape=(), name="training")
            flag = self.training if training == "placeholder" else training
            kwargs = {} if momentum is None else {"momentum": momentum}
            self.z = layers.batch_normalization(self.x, training=flag, **kwargs)
            by_name = {v.op.name.split("/")[-1]: v for v in v1.global_variables()}
            self.beta, self.gamma = by_name["beta"], by_name["gamma"]
            self.moving_mean = by_name["moving_mean"]
            self.moving_variance = by_name["moving_variance"]
            self.updates = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
            self.init = v1.global_variables_initializer()
        self.sess = v1.Session(graph=self.graph)
        self.sess.run(self.init)

    def load(self, **values):
        for name, value in values.items():
            getattr(self, name).load(np.asarray(value, np.float32), self.sess)

    def stats(self):
        return self.sess.run([self.moving_mean, self.moving_variance])

    def close(self):
        self.sess.close()


# Every batch-norm test runs for each release: their graphs differ (1.2/1.3:
# where-selected moments and unconditional updates; 1.2: shifted moments;
# 1.6+: conds), their numbers must not.
RELEASES = ["1.2", "1.3", "1.8", "1.15"]


@pytest.fixture(params=RELEASES)
def release(request, monkeypatch):
    monkeypatch.setenv("TF1REPRO_TF1_RELEASE", request.param)
    return request.param


@pytest.fixture
def bn(release):
    g = BNGraph()
    yield g
    g.close()


@pytest.fixture
def params():
    rng = np.random.default_rng(7)
    return dict(gamma=rng.uniform(0.5, 2.0, 7), beta=rng.normal(0.0, 1.0, 7),
                moving_mean=rng.normal(0.0, 2.0, 7), moving_variance=rng.uniform(0.2, 4.0, 7))


# --- values --------------------------------------------------------------------

def test_training_mode_matches_equations_1_to_4(bn, params):
    x = random_batch(np.random.default_rng(1))
    bn.load(**params)
    z = bn.sess.run(bn.z, {bn.x: x, bn.training: True})
    expected, _, _, _ = np_bn_train(x, params["gamma"], params["beta"])
    assert_close(z, expected)
    # Sanity of the reference itself: gamma=1, beta=0 gives zero-mean columns.
    assert np.abs(np_bn_train(x, 1.0, 0.0)[0].mean(axis=0)).max() < 1e-12


def test_inference_mode_uses_moving_statistics(bn, params):
    x = random_batch(np.random.default_rng(2))
    bn.load(**params)
    z_default = bn.sess.run(bn.z, {bn.x: x})  # training left at its default, False
    z_false = bn.sess.run(bn.z, {bn.x: x, bn.training: False})
    expected = np_bn_infer(x, params["gamma"], params["beta"],
                           params["moving_mean"], params["moving_variance"])
    assert_close(z_default, expected)
    np.testing.assert_array_equal(z_default, z_false)
    # ... and is not the batch-statistics answer.
    assert np.abs(z_default - np_bn_train(x, params["gamma"], params["beta"])[0]).max() > 0.1


@pytest.mark.parametrize("flag", [True, False])
def test_python_bool_training_builds_the_same_arithmetic(release, params, flag):
    x = random_batch(np.random.default_rng(3))
    g = BNGraph(training=flag)
    try:
        g.load(**params)
        z = g.sess.run(g.z, {g.x: x})
        if flag:
            expected = np_bn_train(x, params["gamma"], params["beta"])[0]
            assert len(g.updates) == 2
        else:
            expected = np_bn_infer(x, params["gamma"], params["beta"],
                                   params["moving_mean"], params["moving_variance"])
        assert_close(z, expected)
    finally:
        g.close()


@settings(max_examples=12, deadline=None)
@given(m=st.integers(2, 80), n=st.integers(1, 12), seed=st.integers(0, 2**31 - 1))
@pytest.mark.parametrize("release", RELEASES)
def test_training_mode_matches_numpy_for_any_shape(release, m, n, seed):
    rng = np.random.default_rng(seed)
    x = (rng.uniform(-2, 2, n) + rng.uniform(0.1, 3, n) * rng.standard_normal((m, n)))
    x = x.astype(np.float32)
    gamma, beta = rng.uniform(-2, 2, n), rng.uniform(-2, 2, n)
    # (hypothesis does not take function-scoped fixtures: the release by hand)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TF1REPRO_TF1_RELEASE", release)
        g = BNGraph(n_units=n)
    try:
        g.load(gamma=gamma, beta=beta)
        z = g.sess.run(g.z, {g.x: x, g.training: True})
    finally:
        g.close()
    assert_close(z, np_bn_train(x, gamma, beta)[0], rtol=2e-5)


# --- gradients -----------------------------------------------------------------

def test_gradients_match_analytic_backward_pass(release, params):
    rng = np.random.default_rng(4)
    x = random_batch(rng)
    W = rng.standard_normal(x.shape).astype(np.float32)  # dL/dz for L = sum(z * W)
    g = BNGraph()
    try:
        with g.graph.as_default():
            loss = tf.reduce_sum(g.z * W)
            grads = tf.gradients(loss, [g.x, g.gamma, g.beta])
        g.load(**params)
        dx, dgamma, dbeta = g.sess.run(grads, {g.x: x, g.training: True})
    finally:
        g.close()
    ex_dx, ex_dgamma, ex_dbeta = np_bn_backward(W.astype(np.float64), x, params["gamma"])
    assert_close(dbeta, ex_dbeta)
    assert_close(dgamma, ex_dgamma)
    assert_close(dx, ex_dx)
    # Had the gradient not flowed through mu_B and sigma_B^2, dx would be
    # g * gamma / sqrt(var + eps): make sure that is far from the answer.
    _, _, var, _ = np_bn_train(x, params["gamma"], params["beta"])
    naive = W * params["gamma"] / np.sqrt(var + EPS)
    assert np.abs(naive - ex_dx).max() > 0.1


# --- moving averages -----------------------------------------------------------

@pytest.mark.parametrize("momentum", [0.9, 0.5])
def test_moving_averages_follow_tf1_update_rule(release, params, momentum):
    rng = np.random.default_rng(5)
    g = BNGraph(momentum=momentum)
    try:
        g.load(**params)
        mm = params["moving_mean"].astype(np.float64)
        mv = params["moving_variance"].astype(np.float64)
        for _ in range(5):
            x = random_batch(rng)
            g.sess.run(g.updates, {g.x: x, g.training: True})
            _, mu, var, _ = np_bn_train(x, 1.0, 0.0)  # var is the biased variance
            mm = mm - (mm - mu) * (1 - momentum)
            mv = mv - (mv - var) * (1 - momentum)
            got_mm, got_mv = g.stats()
            assert_close(got_mm, mm)
            assert_close(got_mv, mv)
        # Bessel's correction would have given a visibly different variance.
        m = x.shape[0]
        mv_unbiased = mv + (var * m / (m - 1) - var) * (1 - momentum)
        assert np.abs(mv_unbiased - mv).max() > 1e-3
    finally:
        g.close()


def test_default_momentum_is_tf1s_0_99(release):
    g = BNGraph(momentum=None)  # TF 1.x's tf.layers default: momentum=0.99
    try:
        x = random_batch(np.random.default_rng(6))
        g.sess.run(g.updates, {g.x: x, g.training: True})
        _, mu, var, _ = np_bn_train(x, 1.0, 0.0)
        got_mm, got_mv = g.stats()
        assert_close(got_mm, 0.0 - (0.0 - mu) * 0.01)
        assert_close(got_mv, 1.0 - (1.0 - var) * 0.01)
    finally:
        g.close()


def test_updates_change_nothing_unless_training(bn, params):
    bn.load(**params)
    before = bn.stats()
    x = random_batch(np.random.default_rng(8))
    for _ in range(3):
        bn.sess.run(bn.updates, {bn.x: x})  # training left at False
        bn.sess.run(bn.updates, {bn.x: x, bn.training: False})
    # Computing the training-mode output without fetching the updates changes
    # nothing either: the updates run only when fetched, as in TF 1.x.
    bn.sess.run(bn.z, {bn.x: x, bn.training: True})
    after = bn.stats()
    for b, a in zip(before, after):
        np.testing.assert_array_equal(a, b)
    bn.sess.run(bn.updates, {bn.x: x, bn.training: True})
    changed = bn.stats()
    for b, c in zip(before, changed):
        assert np.all(b != c)


# --- variables -----------------------------------------------------------------

def test_three_layers_variable_names_order_and_initial_values(release):
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 5])
        t = v1.placeholder_with_default(False, shape=())
        h = x
        for _ in range(3):
            h = layers.batch_normalization(h, training=t, momentum=0.9)
        expected = [f"{scope}/{var}:0"
                    for scope in ("batch_normalization", "batch_normalization_1",
                                  "batch_normalization_2")
                    for var in (("beta", "gamma") if release in ("1.2", "1.3")
                                else ("gamma", "beta")) + ("moving_mean", "moving_variance")]
        assert [v.name for v in v1.global_variables()] == expected
        assert [v.name for v in v1.trainable_variables()] == [
            n for n in expected if n.split("/")[1] in ("beta:0", "gamma:0")]
        assert len(v1.get_collection(v1.GraphKeys.UPDATE_OPS)) == 6
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for v in v1.global_variables():
                assert v.shape.as_list() == [5]
                want = 1.0 if v.op.name.split("/")[-1] in ("gamma", "moving_variance") else 0.0
                np.testing.assert_array_equal(sess.run(v), np.full(5, want, np.float32))


# --- dense -----------------------------------------------------------------------

def test_dense_shapes_initial_bias_and_output():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((16, 12)).astype(np.float32)
    graph = tf.Graph()
    with graph.as_default():
        xp = v1.placeholder(tf.float32, [None, 12])
        out = layers.dense(xp, 5, name="hidden1")
        kernel, bias = v1.global_variables()
        assert (kernel.name, bias.name) == ("hidden1/kernel:0", "hidden1/bias:0")
        assert kernel.shape.as_list() == [12, 5] and bias.shape.as_list() == [5]
        assert v1.trainable_variables() == [kernel, bias]
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            np.testing.assert_array_equal(sess.run(bias), np.zeros(5, np.float32))
            k = sess.run(kernel)
            assert np.abs(k).max() <= math.sqrt(6.0 / (12 + 5))  # glorot uniform limit
            b = rng.standard_normal(5).astype(np.float32)
            bias.load(b, sess)
            got = sess.run(out, {xp: x})
    assert_close(got, x.astype(np.float64) @ k + b)


# --- the initializer ---------------------------------------------------------------

def truncated_std_factor(a=2.0):
    """Std of a standard normal truncated to [-a, a]: sqrt(1 - 2 a phi(a) / Z)."""
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    z = math.erf(a / math.sqrt(2))
    return math.sqrt(1 - 2 * a * phi / z)


def truncated_kurtosis(a=2.0):
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    z = math.erf(a / math.sqrt(2))
    m4 = 3 - 2 * (a ** 3 + 3 * a) * phi / z
    return m4 / truncated_std_factor(a) ** 4


def draw(initializer, shape):
    graph = tf.Graph()
    with graph.as_default():
        t = initializer(shape, dtype=tf.float32)
        with v1.Session() as sess:
            return sess.run(t).astype(np.float64)


def test_truncated_std_factor_is_the_known_constant():
    # The constant TF's core variance_scaling_initializer hard-codes.
    assert truncated_std_factor() == pytest.approx(0.87962566103423978, rel=1e-12)


@pytest.mark.parametrize("shape,sigma", [([784, 300], 0.05759), ([300, 100], 0.09309),
                                         ([100, 10], 0.16125)])
def test_variance_scaling_is_contribs_he_init(shape, sigma):
    init = layers.VarianceScaling(seed=1)
    exact = math.sqrt(1.3 * 2.0 / shape[0])
    assert exact == pytest.approx(sigma, abs=5e-6)  # SPEC's rounded figures
    assert init.scale_for(shape) == pytest.approx(exact, rel=1e-12)

    # The real shape, plus a wide draw with the same fan_in for statistical power.
    for draw_shape in (shape, [shape[0], 4000]):
        values = draw(init, draw_shape)
        assert values.shape == tuple(draw_shape)
        n = values.size
        # Truncated at 2 sigma, and not tighter: P(|x| > 1.9 sigma) is 1.25%
        # per draw, so even 1000 draws miss that band with p ~ 4e-6.
        assert np.abs(values).max() <= 2 * exact * (1 + 1e-6)
        assert np.abs(values).max() > 1.9 * exact
        # Sample-std standard error, relative: sqrt((kurtosis - 1) / (4 n)),
        # kurtosis 2.366 for this truncation; sample-mean standard error:
        # std / sqrt(n). Tolerances are 5 standard errors (two-sided p ~ 6e-7).
        std_expected = exact * truncated_std_factor()
        rel_se = math.sqrt((truncated_kurtosis() - 1) / (4 * n))
        assert values.std() == pytest.approx(std_expected, rel=5 * rel_se)
        assert abs(values.mean()) < 5 * std_expected / math.sqrt(n)


def test_variance_scaling_differs_from_core_initializer():
    # Core: stddev = sqrt(2 / fan_in) / 0.8796..., so its empirical std is
    # sqrt(2 / fan_in); contrib's is sqrt(1.3 * 2 / fan_in) * 0.8796...: a
    # ratio of sqrt(1.3) * 0.8796 = 1.00292.  With n = 784 * 9600 = 7.5e6 per
    # draw the relative standard error of each std is sqrt(1.366 / (4 n)) =
    # 2.1e-4, 3.0e-4 for the ratio: the threshold 1.00146 sits ~4.9 standard
    # errors from both 1.0 and 1.00292.
    shape = [784, 9600]
    contrib = draw(layers.VarianceScaling(seed=1), shape)
    core = draw(v1.variance_scaling_initializer(scale=2.0, seed=1), shape)
    assert core.std() == pytest.approx(math.sqrt(2.0 / 784), rel=1.5e-3)
    ratio = contrib.std() / core.std()
    assert ratio > 1.00146
    assert ratio == pytest.approx(math.sqrt(1.3) * truncated_std_factor(), abs=1.46e-3)
    # The cut-offs differ too: contrib reaches past the core's 2-sigma bound.
    core_bound = 2 * math.sqrt(2.0 / 784) / truncated_std_factor()
    assert np.abs(core).max() <= core_bound * (1 + 1e-6)
    assert np.abs(contrib).max() > core_bound


def test_variance_scaling_uniform_and_modes():
    init = layers.VarianceScaling(factor=1.0, mode="FAN_AVG", uniform=True, seed=3)
    limit = math.sqrt(3.0 * 1.0 / ((400 + 200) / 2))
    assert init.scale_for([400, 200]) == pytest.approx(limit)
    values = draw(init, [400, 200])
    assert np.abs(values).max() <= limit and np.abs(values).max() > 0.99 * limit
    assert layers.VarianceScaling(mode="FAN_OUT").scale_for([400, 200]) == pytest.approx(
        math.sqrt(2.6 / 200))
    with pytest.raises(TypeError, match="Unknown mode"):  # contrib's own error
        layers.VarianceScaling(mode="fan_in")


# --- tf-keras's legacy tf.compat.v1.layers.batch_normalization, in a subprocess ---

# One procedure, run on both implementations: the legacy layer (subprocess,
# TF_USE_LEGACY_KERAS=1, so tf-keras never enters this process) and ours.
# The legacy layer creates gamma before beta (unlike TF 1.x), so variables are
# looked up by name and names/creation order are NOT compared here.
_PROCEDURE = '''
import numpy as np

def procedure(tf, v1, batch_norm, inputs):
    out = {}
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, inputs["x"].shape[1]])
        t = v1.placeholder_with_default(False, shape=())
        z = batch_norm(x, training=t, momentum=0.9)
        by_name = {v.op.name.split("/")[-1]: v for v in v1.global_variables()}
        updates = v1.get_collection(v1.GraphKeys.UPDATE_OPS)
        loss = tf.reduce_sum(z * inputs["w"])
        grads = tf.gradients(loss, [x, by_name["gamma"], by_name["beta"]])
        with v1.Session() as sess:
            sess.run(v1.global_variables_initializer())
            for name in ("gamma", "beta", "moving_mean", "moving_variance"):
                by_name[name].load(inputs[name], sess)
            out["z_train"] = sess.run(z, {x: inputs["x"], t: True})
            out["z_infer"] = sess.run(z, {x: inputs["x"]})
            out["dx"], out["dgamma"], out["dbeta"] = sess.run(
                grads, {x: inputs["x"], t: True})
            for i, batch in enumerate(inputs["batches"]):
                sess.run(updates, {x: batch, t: True})
                out[f"mm{i}"], out[f"mv{i}"] = sess.run(
                    [by_name["moving_mean"], by_name["moving_variance"]])
            sess.run(updates, {x: inputs["x"]})  # training False: no change
            out["mm_after_false"], out["mv_after_false"] = sess.run(
                [by_name["moving_mean"], by_name["moving_variance"]])
    return out
'''

_SUBPROCESS = '''
import sys
try:
    import tf_keras  # noqa: F401
except ImportError as e:
    print(e)
    sys.exit(77)
import numpy as np
import tensorflow as tf
v1 = tf.compat.v1
v1.disable_eager_execution()
inputs_path, out_path = sys.argv[1], sys.argv[2]
inputs = dict(np.load(inputs_path))
ns = {}
exec(PROCEDURE, ns)
np.savez(out_path, **ns["procedure"](tf, v1, v1.layers.batch_normalization, inputs))
'''


def test_matches_tf_keras_legacy_batch_normalization(tmp_path):
    rng = np.random.default_rng(11)
    inputs = dict(
        x=random_batch(rng), w=rng.standard_normal((64, 7)).astype(np.float32),
        gamma=rng.uniform(0.5, 2.0, 7).astype(np.float32),
        beta=rng.normal(0, 1, 7).astype(np.float32),
        moving_mean=rng.normal(0, 2, 7).astype(np.float32),
        moving_variance=rng.uniform(0.2, 4.0, 7).astype(np.float32),
        batches=np.stack([random_batch(rng) for _ in range(3)]))
    np.savez(tmp_path / "inputs.npz", **inputs)
    script = _SUBPROCESS.replace("PROCEDURE", repr(_PROCEDURE))
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "2",
           "CUDA_VISIBLE_DEVICES": "-1"}
    proc = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "inputs.npz"), str(tmp_path / "ref.npz")],
        env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode == 77:
        pytest.skip(f"tf_keras is not importable in a subprocess: {proc.stdout.strip()}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    reference = dict(np.load(tmp_path / "ref.npz"))

    ns = {}
    exec(_PROCEDURE, ns)
    ours = ns["procedure"](tf, v1, layers.batch_normalization, inputs)

    assert sorted(ours) == sorted(reference)
    for key in sorted(reference):
        np.testing.assert_allclose(ours[key], reference[key], rtol=1e-5, atol=1e-5,
                                   err_msg=key)
    # The comparison has teeth: the three updates moved the statistics.
    assert np.abs(reference["mm2"] - inputs["moving_mean"]).max() > 0.1
    np.testing.assert_array_equal(reference["mm_after_false"], reference["mm2"])
    assert "tf_keras" not in sys.modules
