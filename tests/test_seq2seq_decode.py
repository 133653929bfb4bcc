"""``tf.contrib.seq2seq``'s ``BasicDecoder`` + ``dynamic_decode`` with a ``TrainingHelper``
and a ``GreedyEmbeddingHelper``, against a NumPy re-computation of the same RNN from its
variables' values (``contrib/seq2seq/python/ops/{helper,basic_decoder,decoder}.py``)."""

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.runtime import releases

RNG = np.random.RandomState(11)


def numpy_rnn_step(x, h, kernel, bias):
    return np.tanh(np.concatenate([x, h], 1) @ kernel + bias)


@pytest.mark.parametrize("release", ["1.8", "1.15"])
def test_training_helper_decodes_as_the_rnn_over_its_inputs(release):
    inputs = RNG.randn(2, 4, 3).astype(np.float32)
    lengths = np.array([4, 2], np.int32)
    with releases.using(release):
        tf.reset_default_graph()
        cell = tf.nn.rnn_cell.BasicRNNCell(5)
        helper = tf.contrib.seq2seq.TrainingHelper(tf.constant(inputs), tf.constant(lengths))
        decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32))
        (outputs, sample_ids), state, seq_lengths = tf.contrib.seq2seq.dynamic_decode(
            decoder, impute_finished=True)
        names = [v.op.name for v in tf.global_variables()]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            out, ids, final, got_lengths, kernel, bias = sess.run(
                [outputs, sample_ids, state, seq_lengths] + tf.global_variables())
    assert names == ["decoder/basic_rnn_cell/kernel", "decoder/basic_rnn_cell/bias"]
    h, expected = np.zeros((2, 5), np.float32), np.zeros((2, 4, 5), np.float32)
    for t in range(4):
        new_h = numpy_rnn_step(inputs[:, t], h, kernel, bias)
        alive = (t < lengths)[:, None]
        expected[:, t] = np.where(alive, new_h, 0)  # impute_finished: zeros past the end
        h = np.where(alive, new_h, h)               # and the state copied through
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ids, expected.argmax(-1) * (np.arange(4) < lengths[:, None]))
    np.testing.assert_allclose(final, h, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got_lengths, lengths)


@pytest.mark.parametrize("release", ["1.8", "1.15"])
def test_greedy_embedding_helper_feeds_back_its_argmax_until_the_end_token(release):
    embedding = np.random.RandomState(0).randn(5, 3).astype(np.float32)
    with releases.using(release):
        tf.reset_default_graph()
        # graph seeds under which one sequence ends early and one runs to 6 (the kernel's
        # op seed differs between the releases' graphs)
        tf.set_random_seed({"1.8": 1, "1.15": 0}[release])
        cell = tf.nn.rnn_cell.BasicRNNCell(5)
        helper = tf.contrib.seq2seq.GreedyEmbeddingHelper(tf.constant(embedding), [1, 3], 4)
        decoder = tf.contrib.seq2seq.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32))
        (outputs, sample_ids), _, seq_lengths = tf.contrib.seq2seq.dynamic_decode(
            decoder, maximum_iterations=6)
        types = {op.type for op in tf.get_default_graph().get_operations()}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            kernel, bias = sess.run(tf.global_variables())
            ids, got_lengths = sess.run([sample_ids, seq_lengths])
    # maximum_iterations: a GreaterEqual in the body until 1.13, the loop's counter after
    assert ("GreaterEqual" in types) == (release == "1.8")
    tokens, h, done = np.array([1, 3]), np.zeros((2, 5), np.float32), np.zeros(2, bool)
    expected_ids, lengths = [], np.zeros(2, np.int32)
    for t in range(6):
        h = numpy_rnn_step(embedding[tokens], h, kernel, bias)
        tokens = h.argmax(-1)
        expected_ids.append(tokens)
        lengths = np.where(~done, t + 1, lengths)
        done |= tokens == 4
        if done.all():
            break
    np.testing.assert_array_equal(ids, np.stack(expected_ids, 1))
    np.testing.assert_array_equal(got_lengths, lengths)
    assert got_lengths.min() < 6 == got_lengths.max()  # the end token and the maximum
