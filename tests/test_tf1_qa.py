"""TF 1.x names that programs of 2017-2018 used and a QA run found missing.

Each test is written in the era's style (``import tf1repro.tf1 as tf``, a graph,
a ``tf.Session``); what is expected comes from TF 1.x's sources under
/tmp/core_tf (named in each test), not from the code under test.
"""

import numpy as np

import tf1repro.tf1 as tf
from tf1repro.tf1.contrib import rnn


def test_static_bidirectional_rnn_of_contrib_rnn_and_nn():
    """TF 1.8-1.15 ``python/ops/rnn.py``: scope ``bidirectional_rnn`` with ``fw`` / ``bw``,
    outputs the depth-concatenated forward and (re-reversed) backward outputs, and the
    three-tuple return; ``contrib/rnn/__init__.py`` imports it from core ``rnn.py``."""
    assert rnn.static_bidirectional_rnn is tf.nn.static_bidirectional_rnn
    tf.reset_default_graph()
    tf.set_random_seed(42)
    timesteps, num_input, num_hidden = 4, 3, 5
    X = tf.placeholder("float", [None, timesteps, num_input])
    x = tf.unstack(X, timesteps, 1)
    lstm_fw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
    lstm_bw_cell = rnn.BasicLSTMCell(num_hidden, forget_bias=1.0)
    outputs, state_fw, state_bw = rnn.static_bidirectional_rnn(lstm_fw_cell, lstm_bw_cell, x,
                                                               dtype=tf.float32)
    assert len(outputs) == timesteps
    assert outputs[-1].get_shape().as_list() == [None, 2 * num_hidden]
    assert [v.op.name for v in tf.trainable_variables()] == [
        "bidirectional_rnn/fw/basic_lstm_cell/kernel", "bidirectional_rnn/fw/basic_lstm_cell/bias",
        "bidirectional_rnn/bw/basic_lstm_cell/kernel", "bidirectional_rnn/bw/basic_lstm_cell/bias"]
    batch = np.random.RandomState(0).rand(2, timesteps, num_input).astype(np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        outs, fw, bw = sess.run([outputs, state_fw, state_bw], feed_dict={X: batch})
    # Forward half at the last step is the forward final h; the backward half at the
    # first step is the backward final h (the backward pass read the inputs reversed).
    np.testing.assert_allclose(outs[-1][:, :num_hidden], fw.h, rtol=1e-6)
    np.testing.assert_allclose(outs[0][:, num_hidden:], bw.h, rtol=1e-6)
    assert not np.allclose(outs[0][:, num_hidden:], outs[-1][:, num_hidden:])


def _flatten_graph(monkeypatch, release):
    from tf1repro.runtime import releases
    monkeypatch.setenv(releases.ENV, release)
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 5, 5, 64])
    flat = tf.contrib.layers.flatten(x)
    ops = [op.name for op in tf.get_default_graph().get_operations() if op.name != "Placeholder"]
    batch = np.arange(2 * 5 * 5 * 64, dtype=np.float32).reshape(2, 5, 5, 64)
    with tf.Session() as sess:
        value = sess.run(flat, feed_dict={x: batch})
    np.testing.assert_array_equal(value, batch.reshape(2, -1))
    assert flat.get_shape().as_list() == [None, 1600]
    return flat, ops


def test_contrib_layers_flatten_from_1_4_is_core_flatten_in_a_flatten_scope(monkeypatch):
    """TF 1.4-1.15 ``contrib/layers/python/layers/layers.py``: ``name_scope(scope, 'Flatten')``
    around ``core_layers.flatten`` (the ``flatten`` layer: ``reshape(x, (shape(x)[0], -1))``)."""
    flat, ops = _flatten_graph(monkeypatch, "1.15")
    assert flat.op.name == "Flatten/flatten/Reshape"
    assert all(name.startswith("Flatten/flatten/") for name in ops), ops


def test_contrib_layers_flatten_of_1_2_builds_its_own_shape(monkeypatch):
    """TF 1.2-1.3 ``layers.py``: Shape, Slice (batch), Slice_1 (the rest), reduce_prod,
    ExpandDims, concat, Reshape, all under ``Flatten/``."""
    flat, ops = _flatten_graph(monkeypatch, "1.2")
    assert flat.op.name == "Flatten/Reshape"
    types = [tf.get_default_graph().get_operation_by_name(n).type for n in ops]
    for op_type in ("Shape", "Slice", "Prod", "ExpandDims", "ConcatV2", "Reshape"):
        assert op_type in types, (op_type, ops)
    assert types.count("Slice") == 2
    assert all(name.startswith("Flatten/") and "flatten/" not in name for name in ops), ops
