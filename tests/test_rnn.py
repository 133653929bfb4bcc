"""TF 1.x's RNN cells (``tf.nn.rnn_cell``, ``tf.contrib.rnn``) under ``tf.nn.dynamic_rnn`` / ``static_rnn``.

The references are independent of the code under test: NumPy re-computations
of each cell's step from its variables' values (gate layouts and names read by
hand from TF 1.15's ``rnn_cell_impl.py``), and a checkpoint written by
tf-keras's legacy cells (``TF_USE_LEGACY_KERAS=1``, the descendants of TF 1.15's
code) in a separate Python, which these cells must restore by name and then
compute the same outputs from.
"""

import hashlib
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.layers import Unsupported
from tf1repro.tf1 import rnn_cell
from tf1repro.tf1.contrib import rnn as contrib_rnn

RNG = np.random.RandomState(7)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def fresh():
    tf.reset_default_graph()


def names():
    return [v.op.name for v in tf.global_variables()]


def randomize(sess, scale=0.5):
    """Every variable to random values (biases and peepholes too), returned by name."""
    values = {}
    for var in tf.global_variables():
        values[var.op.name] = (RNG.randn(*var.shape.as_list()) * scale).astype(np.float32)
        sess.run(var.assign(values[var.op.name]))
    return values


def one_step(cell, depth, state_shape=None):
    """``cell(x, state)`` once in scope ``root``: returns x, state, output, new_state placeholders."""
    x = tf.placeholder(tf.float32, [3, depth], name="x")
    state = tf.nest.map_structure(lambda n: tf.placeholder(tf.float32, [3, n]),
                                  state_shape or cell.state_size)
    with tf.variable_scope("root"):
        output, new_state = cell(x, state)
    return x, state, output, new_state


def feed(x, state, xv, sv):
    return dict(zip([x] + tf.nest.flatten(state), [xv] + tf.nest.flatten(sv)))


# --- one step of each cell against NumPy ---------------------------------------------------

def test_basic_rnn_cell_step_names_and_initial_values():
    fresh()
    cell = rnn_cell.BasicRNNCell(4)
    x, h, out, new_h = one_step(cell, 3)
    assert names() == ["root/basic_rnn_cell/kernel", "root/basic_rnn_cell/bias"]
    assert [v.shape.as_list() for v in tf.global_variables()] == [[7, 4], [4]]
    assert cell.trainable_variables == tf.trainable_variables()
    xv, hv = RNG.randn(3, 3).astype(np.float32), RNG.randn(3, 4).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert not sess.run("root/basic_rnn_cell/bias:0").any()  # zeros
        w = randomize(sess)
        ov, sv = sess.run([out, new_h], feed(x, h, xv, hv))
    expected = np.tanh(np.concatenate([xv, hv], 1) @ w["root/basic_rnn_cell/kernel"]
                       + w["root/basic_rnn_cell/bias"])
    np.testing.assert_allclose(ov, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(sv, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("forget_bias, state_is_tuple", [(1.0, True), (0.3, False)])
def test_basic_lstm_cell_gates_i_j_f_o_and_forget_bias(forget_bias, state_is_tuple):
    fresh()
    cell = rnn_cell.BasicLSTMCell(5, forget_bias=forget_bias, state_is_tuple=state_is_tuple)
    assert cell.state_size == ((5, 5) if state_is_tuple else 10) and cell.output_size == 5
    x, state, out, new_state = one_step(cell, 2)
    assert names() == ["root/basic_lstm_cell/kernel", "root/basic_lstm_cell/bias"]
    assert [v.shape.as_list() for v in tf.global_variables()] == [[7, 20], [20]]
    xv = RNG.randn(3, 2).astype(np.float32)
    c, h = RNG.randn(3, 5).astype(np.float32), RNG.randn(3, 5).astype(np.float32)
    sv = (c, h) if state_is_tuple else np.concatenate([c, h], 1)
    with tf.Session() as sess:
        w = randomize(sess)
        ov, nv = sess.run([out, new_state], feed(x, state, xv, sv))
    z = np.concatenate([xv, h], 1) @ w["root/basic_lstm_cell/kernel"] + w["root/basic_lstm_cell/bias"]
    i, j, f, o = np.split(z, 4, axis=1)
    new_c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
    new_h = np.tanh(new_c) * sigmoid(o)
    np.testing.assert_allclose(ov, new_h, rtol=1e-5, atol=1e-5)
    if state_is_tuple:
        assert isinstance(nv, rnn_cell.LSTMStateTuple)
        nv = np.concatenate(nv, 1)
    np.testing.assert_allclose(nv, np.concatenate([new_c, new_h], 1), rtol=1e-5, atol=1e-5)


def test_gru_cell_step_and_its_gate_bias_of_one():
    fresh()
    cell = rnn_cell.GRUCell(4)
    x, h, out, new_h = one_step(cell, 3)
    assert names() == ["root/gru_cell/gates/kernel", "root/gru_cell/gates/bias",
                       "root/gru_cell/candidate/kernel", "root/gru_cell/candidate/bias"]
    assert [v.shape.as_list() for v in tf.global_variables()] == [[7, 8], [8], [7, 4], [4]]
    xv, hv = RNG.randn(3, 3).astype(np.float32), RNG.randn(3, 4).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert (sess.run("root/gru_cell/gates/bias:0") == 1.0).all()
        assert not sess.run("root/gru_cell/candidate/bias:0").any()
        w = randomize(sess)
        ov = sess.run(out, feed(x, h, xv, hv))
    r, u = np.split(sigmoid(np.concatenate([xv, hv], 1) @ w["root/gru_cell/gates/kernel"]
                            + w["root/gru_cell/gates/bias"]), 2, axis=1)
    candidate = np.tanh(np.concatenate([xv, r * hv], 1) @ w["root/gru_cell/candidate/kernel"]
                        + w["root/gru_cell/candidate/bias"])
    np.testing.assert_allclose(ov, u * hv + (1 - u) * candidate, rtol=1e-5, atol=1e-5)


def test_lstm_cell_with_peepholes_clipping_and_projection():
    fresh()
    cell = rnn_cell.LSTMCell(5, use_peepholes=True, cell_clip=0.8, num_proj=3, proj_clip=0.4,
                             forget_bias=0.7, initializer=tf.constant_initializer(0.25))
    assert cell.state_size == (5, 3) and cell.output_size == 3
    x, state, out, new_state = one_step(cell, 2)
    assert names() == ["root/lstm_cell/kernel", "root/lstm_cell/bias", "root/lstm_cell/w_f_diag",
                       "root/lstm_cell/w_i_diag", "root/lstm_cell/w_o_diag",
                       "root/lstm_cell/projection/kernel"]
    assert [v.shape.as_list() for v in tf.global_variables()] == [[5, 20], [20], [5], [5], [5],
                                                                  [5, 3]]
    xv = RNG.randn(3, 2).astype(np.float32)
    c, m = RNG.randn(3, 5).astype(np.float32) * 2, RNG.randn(3, 3).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        initial = dict(zip(names(), sess.run(tf.global_variables())))
        w = randomize(sess)
        ov, (cv, mv) = sess.run([out, new_state], feed(x, state, xv, (c, m)))
    # ``initializer`` for the matrices and peepholes; the bias stays zeros.
    assert all((initial[n] == 0.25).all() for n in names() if not n.endswith("/bias"))
    assert not initial["root/lstm_cell/bias"].any()
    p = {n.split("/")[-1]: v for n, v in w.items()}
    i, j, f, o = np.split(np.concatenate([xv, m], 1) @ w["root/lstm_cell/kernel"] + p["bias"],
                          4, axis=1)
    new_c = (sigmoid(f + 0.7 + p["w_f_diag"] * c) * c
             + sigmoid(i + p["w_i_diag"] * c) * np.tanh(j))
    new_c = np.clip(new_c, -0.8, 0.8)
    new_m = sigmoid(o + p["w_o_diag"] * new_c) * np.tanh(new_c)
    new_m = np.clip(new_m @ w["root/lstm_cell/projection/kernel"], -0.4, 0.4)
    np.testing.assert_allclose(cv, new_c, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ov, new_m, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mv, new_m, rtol=1e-5, atol=1e-5)
    assert np.abs(cv).max() == pytest.approx(0.8) and np.abs(ov).max() == pytest.approx(0.4)


# --- scopes and unrolling -------------------------------------------------------------------

def lstm_reference(w, prefix, xs, units, forget_bias=1.0):
    """BasicLSTMCell unrolled in NumPy over xs [batch, time, depth]."""
    c = h = np.zeros((xs.shape[0], units), np.float32)
    outputs = []
    for t in range(xs.shape[1]):
        z = np.concatenate([xs[:, t], h], 1) @ w[prefix + "/kernel"] + w[prefix + "/bias"]
        i, j, f, o = np.split(z, 4, axis=1)
        c = c * sigmoid(f + forget_bias) + sigmoid(i) * np.tanh(j)
        h = np.tanh(c) * sigmoid(o)
        outputs.append(h)
    return np.stack(outputs, 1), c, h


@pytest.mark.parametrize("unroll", ["dynamic_rnn", "static_rnn"])
def test_multi_rnn_cell_names_under_dynamic_and_static_rnn_and_the_unrolled_values(unroll):
    fresh()
    X = tf.placeholder(tf.float32, [None, 4, 3], name="X")
    cell = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(5), rnn_cell.BasicLSTMCell(2)])
    if unroll == "dynamic_rnn":
        outputs, state = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    else:
        outputs, state = contrib_rnn.static_rnn(cell, tf.unstack(X, axis=1), dtype=tf.float32)
        outputs = tf.stack(outputs, 1)
    # One set of variables for all time steps, in TF 1.x's scopes.
    assert names() == ["rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel",
                       "rnn/multi_rnn_cell/cell_0/basic_lstm_cell/bias",
                       "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/kernel",
                       "rnn/multi_rnn_cell/cell_1/basic_lstm_cell/bias"]
    xv = RNG.randn(2, 4, 3).astype(np.float32)
    with tf.Session() as sess:
        w = randomize(sess)
        ov, sv = sess.run([outputs, state], {X: xv})
    first, c0, h0 = lstm_reference(w, "rnn/multi_rnn_cell/cell_0/basic_lstm_cell", xv, 5)
    second, c1, h1 = lstm_reference(w, "rnn/multi_rnn_cell/cell_1/basic_lstm_cell", first, 2)
    np.testing.assert_allclose(ov, second, rtol=1e-5, atol=1e-5)
    for got, want in zip(tf.nest.flatten(sv), [c0, h0, c1, h1]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_scopes_are_made_unique_reuse_shares_and_the_scope_initializer_applies():
    fresh()
    x = tf.zeros([2, 3])
    with tf.variable_scope("net", initializer=tf.constant_initializer(0.5)):
        a, b = rnn_cell.BasicRNNCell(2), rnn_cell.BasicRNNCell(2)
        a(x, a.zero_state(2, tf.float32))
        a(x, a.zero_state(2, tf.float32))  # the same cell again: its variables again
        b(x, b.zero_state(2, tf.float32))
    with tf.variable_scope("net", reuse=True):
        shared = rnn_cell.BasicRNNCell(2, reuse=True)
        shared(x, shared.zero_state(2, tf.float32))
    assert names() == ["net/basic_rnn_cell/kernel", "net/basic_rnn_cell/bias",
                       "net/basic_rnn_cell_1/kernel", "net/basic_rnn_cell_1/bias"]
    zero = rnn_cell.LSTMCell(4, num_proj=2).zero_state(3, tf.float32)
    assert isinstance(zero, rnn_cell.LSTMStateTuple)
    assert [t.shape.as_list() for t in zero] == [[3, 4], [3, 2]]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        assert (sess.run("net/basic_rnn_cell/kernel:0") == 0.5).all()
        assert not sess.run("net/basic_rnn_cell/bias:0").any()


def test_output_projection_wrapper_nests_the_cell_and_projects():
    fresh()
    X = tf.placeholder(tf.float32, [None, 3, 2], name="X")
    cell = contrib_rnn.OutputProjectionWrapper(contrib_rnn.BasicRNNCell(4), output_size=1)
    outputs, _ = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    assert outputs.shape.as_list() == [None, 3, 1]
    assert names() == ["rnn/output_projection_wrapper/basic_rnn_cell/kernel",
                       "rnn/output_projection_wrapper/basic_rnn_cell/bias",
                       "rnn/output_projection_wrapper/kernel", "rnn/output_projection_wrapper/bias"]
    xv = RNG.randn(2, 3, 2).astype(np.float32)
    with tf.Session() as sess:
        w = randomize(sess)
        ov = sess.run(outputs, {X: xv})
    prefix, h, expected = "rnn/output_projection_wrapper/", np.zeros((2, 4), np.float32), []
    for t in range(3):
        h = np.tanh(np.concatenate([xv[:, t], h], 1) @ w[prefix + "basic_rnn_cell/kernel"]
                    + w[prefix + "basic_rnn_cell/bias"])
        expected.append(h @ w[prefix + "kernel"] + w[prefix + "bias"])
    np.testing.assert_allclose(ov, np.stack(expected, 1), rtol=1e-5, atol=1e-5)


# --- dropout ------------------------------------------------------------------------------------

def test_dropout_wrapper_keep_one_is_the_bare_cell():
    fresh()
    cell = rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4), input_keep_prob=1.0,
                                   output_keep_prob=1.0, state_keep_prob=1.0)
    X = tf.placeholder(tf.float32, [None, 3, 2], name="X")
    outputs, _ = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    assert names() == ["rnn/basic_lstm_cell/kernel", "rnn/basic_lstm_cell/bias"]  # no scope of its own
    ops = tf.get_default_graph().get_operations()
    assert not [op.name for op in ops  # no dropout at all; the kernel's initializer only
                if op.type == "RandomUniform" and "/Initializer/" not in op.name]
    xv = RNG.randn(2, 3, 2).astype(np.float32)
    with tf.Session() as sess:
        w = randomize(sess)
        ov = sess.run(outputs, {X: xv})
    np.testing.assert_allclose(ov, lstm_reference(w, "rnn/basic_lstm_cell", xv, 4)[0],
                               rtol=1e-5, atol=1e-5)


def test_dropout_wrapper_in_training_drops_and_scales_keeps_c_and_seeds_like_tf1():
    fresh()
    keep_prob = tf.placeholder_with_default(1.0, shape=(), name="keep_prob")
    bare = rnn_cell.BasicLSTMCell(50)
    cell = rnn_cell.DropoutWrapper(bare, output_keep_prob=keep_prob, state_keep_prob=keep_prob,
                                   seed=42)
    x, state, out, new_state = one_step(cell, 3)
    xv = RNG.randn(3, 3).astype(np.float32)
    sv = (RNG.randn(3, 50).astype(np.float32), RNG.randn(3, 50).astype(np.float32))
    with tf.Session() as sess:
        randomize(sess)
        plain = sess.run([out, new_state], feed(x, state, xv, sv))
        dropped = sess.run([out, new_state], {**feed(x, state, xv, sv), keep_prob: 0.5})
    (o1, (c1, h1)), (o2, (c2, h2)) = plain, dropped
    for full, thinned in [(o1, o2), (h1, h2)]:
        zeroed = thinned == 0
        assert 0.3 < zeroed.mean() < 0.7  # about half dropped...
        np.testing.assert_allclose(thinned[~zeroed], 2 * full[~zeroed], rtol=1e-5)  # ...the rest / 0.5
    np.testing.assert_array_equal(c2, c1)  # an LSTM's memory c is never dropped
    # Op seeds derived from the wrapper's seed as TF 1.15 did: md5(seed + salt_index).
    seeds = {op.get_attr("seed2") for op in tf.get_default_graph().get_operations()
             if op.type == "RandomUniform" and "/Initializer/" not in op.name}
    expected = {int(hashlib.md5(f"42{salt}".encode()).hexdigest()[:8], 16) & 0x7FFFFFFF
                for salt in ("output_0", "state_1")}
    assert seeds == expected


# --- checkpoints and training -------------------------------------------------------------------

REFERENCE = textwrap.dedent("""
    import sys
    import numpy as np
    import tensorflow as tf
    v1 = tf.compat.v1
    v1.disable_eager_execution()
    cells = v1.nn.rnn_cell
    X = v1.placeholder(tf.float32, [None, 4, 3])
    cell = cells.MultiRNNCell([
        cells.BasicLSTMCell(5), cells.GRUCell(4),
        cells.LSTMCell(3, use_peepholes=True, num_proj=2, cell_clip=0.9, proj_clip=0.6),
        cells.DropoutWrapper(cells.BasicRNNCell(2), output_keep_prob=1.0)])
    outputs, state = v1.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    rng = np.random.RandomState(3)
    x = rng.randn(2, 4, 3).astype(np.float32)
    with v1.Session() as sess:
        for var in v1.global_variables():
            sess.run(var.assign(rng.randn(*var.shape.as_list()).astype(np.float32) * 0.5))
        out, st = sess.run([outputs, state], {X: x})
        v1.train.Saver().save(sess, sys.argv[1] + "/model.ckpt")
    np.savez(sys.argv[1] + "/reference.npz", x=x, outputs=out,
             state=np.concatenate([np.asarray(s) for s in tf.nest.flatten(st)], 1),
             names=[v.op.name for v in v1.global_variables()],
             module=cells.GRUCell.__module__)
""")


def multi_cell(cells):
    return cells.MultiRNNCell([
        cells.BasicLSTMCell(5), cells.GRUCell(4),
        cells.LSTMCell(3, use_peepholes=True, num_proj=2, cell_clip=0.9, proj_clip=0.6),
        cells.DropoutWrapper(cells.BasicRNNCell(2), output_keep_prob=1.0)])


def test_a_checkpoint_of_tf_keras_legacy_cells_restores_by_name(tmp_path):
    env = dict(os.environ, TF_USE_LEGACY_KERAS="1", TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run([sys.executable, "-c", REFERENCE, str(tmp_path)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    ref = np.load(tmp_path / "reference.npz")
    assert "tf_keras" in str(ref["module"])  # the reference is tf-keras's code, not ours
    fresh()
    X = tf.placeholder(tf.float32, [None, 4, 3], name="X")
    outputs, state = tf.nn.dynamic_rnn(multi_cell(rnn_cell), X, dtype=tf.float32)
    assert names() == list(ref["names"])  # names and creation order
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, str(tmp_path / "model.ckpt"))
        out, st = sess.run([outputs, state], {X: ref["x"]})
    np.testing.assert_allclose(out, ref["outputs"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.concatenate(tf.nest.flatten(st), 1), ref["state"],
                               rtol=1e-5, atol=1e-5)


def test_save_and_restore_round_trip_by_name(tmp_path):
    fresh()
    X = tf.placeholder(tf.float32, [None, 4, 3], name="X")
    outputs, _ = tf.nn.dynamic_rnn(multi_cell(rnn_cell), X, dtype=tf.float32)
    xv = RNG.randn(2, 4, 3).astype(np.float32)
    with tf.Session() as sess:
        randomize(sess)
        before = sess.run(outputs, {X: xv})
        path = tf.train.Saver().save(sess, str(tmp_path / "rnn.ckpt"))
    fresh()  # a new graph, built by static_rnn this time: the same names
    X = tf.placeholder(tf.float32, [None, 4, 3], name="X")
    outputs, _ = contrib_rnn.static_rnn(multi_cell(contrib_rnn), tf.unstack(X, axis=1),
                                        dtype=tf.float32)
    saved = [name for name, _ in tf.train.list_variables(path)]
    assert sorted(names()) == sorted(saved)
    with tf.Session() as sess:
        tf.train.Saver().restore(sess, path)
        after = sess.run(tf.stack(outputs, 1), {X: xv})
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-5)


def test_gradients_flow_an_optimizer_step_changes_every_variable():
    fresh()
    X = tf.placeholder(tf.float32, [None, 4, 3], name="X")
    y = tf.placeholder(tf.float32, [None, 1], name="y")
    outputs, state = tf.nn.dynamic_rnn(multi_cell(rnn_cell), X, dtype=tf.float32)
    loss = tf.reduce_mean(tf.square(outputs[:, -1, :1] - y))
    grads = tf.gradients(loss, tf.trainable_variables())
    assert len(grads) == 14 and all(g is not None for g in grads)
    step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    feed_values = {X: RNG.randn(8, 4, 3), y: RNG.randn(8, 1)}
    with tf.Session() as sess:
        randomize(sess)
        before = sess.run(tf.trainable_variables())
        first = sess.run(loss, feed_values)
        for _ in range(5):
            sess.run(step, feed_values)
        after, last = sess.run([tf.trainable_variables(), loss], feed_values)
    assert all(not np.array_equal(b, a) for b, a in zip(before, after))
    assert last < first


# --- what is not there ----------------------------------------------------------------------------

@pytest.mark.parametrize("build, argument", [
    (lambda: rnn_cell.LSTMCell(4, num_unit_shards=2), "num_unit_shards"),
    (lambda: rnn_cell.LSTMCell(4, num_proj_shards=2), "num_proj_shards"),
    (lambda: rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), variational_recurrent=True,
                                     dtype=tf.float32), "variational_recurrent"),
    (lambda: rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2),
                                     dropout_state_filter_visitor=lambda s: True),
     "dropout_state_filter_visitor"),
    (lambda: rnn_cell.BasicRNNCell(3, activation="hard_swish"), "activation"),
    (lambda: rnn_cell.GRUCell(3, input_shape=(2,)), "input_shape"),
])
def test_unsupported_arguments_raise_naming_them(build, argument):
    with pytest.raises(Unsupported, match=argument):
        build()


def test_namespaces_refuse_other_names_and_check_their_arguments():
    with pytest.raises(Unsupported, match="ResidualWrapper.*provides: RNNCell"):
        rnn_cell.ResidualWrapper
    with pytest.raises(Unsupported, match="tf.contrib.rnn.LayerNormBasicLSTMCell"):
        tf.contrib.rnn.LayerNormBasicLSTMCell
    assert tf.contrib.rnn.static_rnn is tf.nn.static_rnn
    assert tf.contrib.rnn.LSTMStateTuple is rnn_cell.LSTMStateTuple
    with pytest.raises(TypeError, match="is not an RNNCell"):
        rnn_cell.DropoutWrapper(object())
    with pytest.raises(ValueError, match="output_keep_prob must be between 0 and 1"):
        rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), output_keep_prob=1.5)
    with pytest.raises(ValueError, match="at least one cell"):
        rnn_cell.MultiRNNCell([])
