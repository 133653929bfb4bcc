"""``tf.contrib.seq2seq``'s ``BahdanauAttention``, ``LuongAttention`` and ``AttentionWrapper``
under ``BasicDecoder`` + ``dynamic_decode`` and ``dynamic_rnn``: the variables' names and
order as each release's ``contrib/seq2seq/python/ops/attention_wrapper.py`` gives them, and
the outputs against a NumPy re-computation of the attention equations from the variables'
values."""

import numpy as np
import pytest

import tf1repro.tf1 as tf
from tf1repro.errors import UserError
from tf1repro.runtime import releases

RNG = np.random.RandomState(5)
MEMORY = RNG.randn(2, 4, 5).astype(np.float32)      # [batch, max_time, depth]
LENGTHS = np.array([4, 2], np.int32)                 # the second row: zeros past 2
INPUTS = RNG.randn(2, 3, 2).astype(np.float32)      # [batch, steps, depth]
UNITS = 4                                            # the cell's


def numpy_decode(values, kind, output_attention=True, normalize=False, scale=False):
    """The wrapper's steps from 1.x's equations: cell input [inputs, attention]; for the
    cell's new output h, the score (Bahdanau: v . tanh(keys + h Wq) or normed
    g v / |v| and + b; Luong: h . keys, times g), -inf past the length, softmax,
    context = alignments @ memory, attention = [h, context] Wa (or the context)."""
    def var(suffix):
        (found,) = [value for name, value in values.items() if name.endswith(suffix)]
        return found
    inside = np.arange(MEMORY.shape[1]) < LENGTHS[:, None]           # [batch, max_time]
    memory = MEMORY * inside[:, :, None]
    keys = memory @ var("memory_layer/kernel")
    layer = any(name.endswith("attention_layer/kernel") for name in values)
    h = np.zeros((2, UNITS), np.float32)
    attention = np.zeros((2, var("attention_layer/kernel").shape[1] if layer else 5))
    outputs, alignments = [], []
    for t in range(INPUTS.shape[1]):
        x = np.concatenate([INPUTS[:, t], attention], 1)
        h = np.tanh(np.concatenate([x, h], 1) @ var("cell/kernel") + var("cell/bias"))
        if kind == "bahdanau":
            query = (h @ var("query_layer/kernel"))[:, None]
            v = var("attention_v")
            if normalize:
                v = var("attention_g") * v / np.sqrt((v ** 2).sum())
                query = query + var("attention_b")
            score = (v * np.tanh(keys + query)).sum(2)
        else:
            score = np.einsum("bd,btd->bt", h, keys) * (var("attention_g") if scale else 1)
        score = np.where(inside, score, -np.inf)
        a = np.exp(score - score.max(1, keepdims=True))
        a /= a.sum(1, keepdims=True)
        context = np.einsum("bt,btd->bd", a, memory)
        attention = (np.concatenate([h, context], 1) @ var("attention_layer/kernel")
                     if layer else context)
        outputs.append(attention if output_attention else h)
        alignments.append(a)
    return np.stack(outputs, 1), np.stack(alignments)  # alignments time-major, as stack()


def decode(release, mechanism, history=True, assign=(), **wrapper_args):
    """A seeded BasicRNNCell(4) under AttentionWrapper, decoded over INPUTS with a
    TrainingHelper, after giving the variables named in ``assign`` (by the end of their
    names) other values than their initial ones: (variable names in order,
    {name: value}, the final state, [outputs, alignments, alignment history])."""
    with releases.using(release):
        tf.reset_default_graph()
        tf.set_random_seed(7)
        seq2seq = tf.contrib.seq2seq
        attention = mechanism(seq2seq, tf.constant(MEMORY), tf.constant(LENGTHS))
        cell = seq2seq.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(UNITS), attention,
                                        alignment_history=history, **wrapper_args)
        helper = seq2seq.TrainingHelper(tf.constant(INPUTS), tf.constant([3, 3]))
        decoder = seq2seq.BasicDecoder(cell, helper, cell.zero_state(2, tf.float32))
        (outputs, _), state, _ = seq2seq.dynamic_decode(decoder)
        variables = tf.global_variables()
        fetch = [outputs, state.alignments] + ([state.alignment_history.stack()]
                                               if history else [])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for suffix, value in dict(assign).items():
                (variable,) = [v for v in variables if v.op.name.endswith(suffix)]
                sess.run(variable.assign(value))
            got = sess.run(fetch)
            values = dict(zip([v.op.name for v in variables], sess.run(variables)))
    return [v.op.name for v in variables], values, state, got


# The names, in order, that 1.2.1's, 1.8.0's and 1.15.5's attention_wrapper.py give: the
# memory layer at the mechanism's construction (outside any scope), then in the wrapper's
# first step its cell, the mechanism's query layer and score variables in its own
# variable_scope, and the attention layer (layers_core.Dense, use_bias=False) last.
WRAPPER = "decoder/attention_wrapper/"
BAHDANAU_NAMES = ["memory_layer/kernel", WRAPPER + "basic_rnn_cell/kernel",
                  WRAPPER + "basic_rnn_cell/bias",
                  WRAPPER + "bahdanau_attention/query_layer/kernel",
                  WRAPPER + "bahdanau_attention/attention_v",
                  WRAPPER + "bahdanau_attention/attention_g",
                  WRAPPER + "bahdanau_attention/attention_b",
                  WRAPPER + "attention_layer/kernel"]


@pytest.mark.parametrize("release", ["1.2", "1.8", "1.15"])
def test_normalized_bahdanau_with_an_attention_layer_and_its_history(release):
    names, values, state, (outputs, alignments, history) = decode(
        release, lambda s2s, memory, lengths: s2s.BahdanauAttention(
            3, memory, memory_sequence_length=lengths, normalize=True),
        attention_layer_size=3,  # g and b start as sqrt(1 / 3) and zeros: make them count
        assign={"attention_g": 1.7, "attention_b": [0.5, -1., 0.25]})
    assert names == BAHDANAU_NAMES
    expected, expected_alignments = numpy_decode(values, "bahdanau", normalize=True)
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(history, expected_alignments, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(alignments, expected_alignments[-1], rtol=1e-5, atol=1e-6)
    assert history.shape == (3, 2, 4)                 # [steps, batch, max_time]
    assert (history[:, 1, 2:] == 0).all() and (history[:, 0] > 0).all()  # masked past 2
    # attention_state came in 1.6 (AttentionWrapperState's sixth field)
    assert ("attention_state" in state._fields) == (release != "1.2")


@pytest.mark.parametrize("release", ["1.8", "1.15"])
def test_scaled_luong_without_an_attention_layer(release):
    names, values, _, (outputs, alignments) = decode(
        release, lambda s2s, memory, lengths: s2s.LuongAttention(
            UNITS, memory, memory_sequence_length=lengths, scale=True), history=False,
        assign={"attention_g": 2.5})  # it starts as 1
    assert names == ["memory_layer/kernel", WRAPPER + "basic_rnn_cell/kernel",
                     WRAPPER + "basic_rnn_cell/bias", WRAPPER + "luong_attention/attention_g"]
    expected, expected_alignments = numpy_decode(values, "luong", scale=True)
    assert outputs.shape == (2, 3, 5)                 # the context: the memory's depth
    np.testing.assert_allclose(outputs, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(alignments, expected_alignments[-1], rtol=1e-5, atol=1e-6)
    assert (alignments[1, 2:] == 0).all()


def test_under_dynamic_rnn_the_cell_output_when_not_output_attention():
    with releases.using("1.15"):
        tf.reset_default_graph()
        seq2seq = tf.contrib.seq2seq
        attention = seq2seq.BahdanauAttention(3, MEMORY, memory_sequence_length=LENGTHS)
        cell = seq2seq.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(UNITS), attention,
                                        output_attention=False)
        outputs, state = tf.nn.dynamic_rnn(cell, tf.constant(INPUTS), dtype=tf.float32)
        variables = tf.global_variables()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            got, alignments, attended = sess.run([outputs, state.alignments, state.attention])
            values = dict(zip([v.op.name for v in variables], sess.run(variables)))
    assert list(values) == ["memory_layer/kernel", "rnn/attention_wrapper/basic_rnn_cell/kernel",
                            "rnn/attention_wrapper/basic_rnn_cell/bias",
                            "rnn/attention_wrapper/bahdanau_attention/query_layer/kernel",
                            "rnn/attention_wrapper/bahdanau_attention/attention_v"]
    expected, expected_alignments = numpy_decode(values, "bahdanau", output_attention=False)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(alignments, expected_alignments[-1], rtol=1e-5, atol=1e-6)
    assert attended.shape == (2, 5)                   # no layer: the context is the attention


@pytest.mark.parametrize("release, variables_first", [("1.13", False), ("1.14", True)])
def test_the_score_variables_come_before_its_ops_from_1_14(release, variables_first):
    # 1.2-1.13: expand_dims(processed_query, 1) and then attention_v; 1.14: the reverse.
    # Under a graph seed, attention_v's op seed is the number of ops before it.
    with releases.using(release):
        tf.reset_default_graph()
        attention = tf.contrib.seq2seq.BahdanauAttention(3, MEMORY)
        attention(tf.zeros([2, UNITS]), attention.initial_alignments(2, tf.float32))
        ops = [op.name for op in tf.get_default_graph().get_operations()]
    v = ops.index("bahdanau_attention/attention_v/Initializer/random_uniform/RandomUniform")
    assert (v < ops.index("bahdanau_attention/ExpandDims")) == variables_first


def test_the_state_its_clone_and_what_a_release_had():
    with releases.using("1.5"):  # before attention_state
        tf.reset_default_graph()
        assert tf.contrib.seq2seq.AttentionWrapperState(*range(5))._fields[-1] == \
            "alignment_history"
    with releases.using("1.8"):
        tf.reset_default_graph()
        attention = tf.contrib.seq2seq.LuongAttention(UNITS, MEMORY)
        cell = tf.contrib.seq2seq.AttentionWrapper(tf.nn.rnn_cell.BasicRNNCell(UNITS),
                                                   attention)
        state = cell.zero_state(2, tf.float32)
        assert isinstance(state, tf.contrib.seq2seq.AttentionWrapperState)
        cloned = state.clone(cell_state=tf.ones([2, UNITS]))
        assert cloned.time is state.time and cloned.cell_state.shape == (2, UNITS)
        with pytest.raises(ValueError, match="Invalid shape"):
            state.clone(cell_state=tf.ones([3, UNITS]))
        with pytest.raises(TypeError, match="custom_key_value_fn"):  # 1.14's
            tf.contrib.seq2seq.LuongAttention(UNITS, MEMORY, custom_key_value_fn=abs)
        with tf.Session() as sess:
            hard = sess.run(tf.contrib.seq2seq.hardmax([[1., 3., 2.], [5., 0., 1.]]))
    np.testing.assert_array_equal(hard, [[0, 1, 0], [1, 0, 0]])
    for release in ("1.0", "1.1"):
        with releases.using(release), pytest.raises(UserError, match="came in 1.2"):
            tf.contrib.seq2seq.BahdanauAttention(3, MEMORY)
    with releases.using("1.2"), pytest.raises(UserError, match="came in 1.3"):
        tf.contrib.seq2seq.safe_cumprod([0.5, 0.5])
