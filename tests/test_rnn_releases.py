"""The ops each release's RNN cells build, one ``static_rnn`` step after the zero state,
against the sequences read in that release's ``python/ops/rnn_cell_impl.py``.

Only the ops that decide seeds and arithmetic are listed (an initializer's shape, min, max,
sub, mul and a variable's Assign/read are the same in every release).  1.2.1's ``_linear``
makes the kernel, then ``concat`` and ``MatMul``, and only then the bias (a
``constant_initializer(0.0)``): a GRU's candidate kernel comes after the gates' ops.
1.8.0's cells make every variable in ``build``, before any op of the call; its
``BasicLSTMCell.call`` first makes ``one = constant(1)`` for its splits' axis.
"""

import pytest

import tf1repro.tf1 as tf
from tf1repro.runtime import releases

SKIP = ("Initializer/random_uniform/shape", "Initializer/random_uniform/min",
        "Initializer/random_uniform/max", "Initializer/random_uniform/sub",
        "Initializer/random_uniform/mul", "/Assign", "/read")


def cell_ops(release, cell_class):
    """``scope-relative name:type`` of the ops after the zero state, one step."""
    with releases.using(release):
        tf.reset_default_graph()
        tf.set_random_seed(1)
        x = tf.placeholder(tf.float32, [None, 3])
        tf.nn.static_rnn(getattr(tf.nn.rnn_cell, cell_class)(4), [x], dtype=tf.float32)
        ops = tf.get_default_graph().get_operations()
    last_zero = max(i for i, op in enumerate(ops) if "ZeroState" in op.name)
    return [f"{op.name.split('/', 2)[-1]}:{op.type}" for op in ops[last_zero + 1:]
            if not any(part in op.name for part in SKIP)]


KERNEL = ["kernel/Initializer/random_uniform/RandomUniform:RandomUniform",
          "kernel/Initializer/random_uniform:AddV2", "kernel:VariableV2"]
GATES, CANDIDATE = ([f"{scope}/{name}" for name in KERNEL] for scope in ("gates", "candidate"))
LSTM_TAIL = ["Sigmoid:Sigmoid", "mul:Mul", "Sigmoid_1:Sigmoid", "Tanh:Tanh", "mul_1:Mul",
             "add_1:AddV2", "Tanh_1:Tanh", "Sigmoid_2:Sigmoid", "mul_2:Mul"]
GRU_TAIL = ["Tanh:Tanh", "mul_1:Mul", "sub/x:Const", "sub:Sub", "mul_2:Mul", "add:AddV2"]

EXPECTED = {
    ("1.2", "GRUCell"):
        GATES + ["gates/concat/axis:Const", "gates/concat:ConcatV2", "gates/MatMul:MatMul",
                 "gates/bias/Initializer/Const:Const", "gates/bias:VariableV2",
                 "gates/BiasAdd:BiasAdd", "Sigmoid:Sigmoid", "split/split_dim:Const",
                 "split:Split", "mul:Mul"]
        + CANDIDATE + ["candidate/concat/axis:Const", "candidate/concat:ConcatV2",
                       "candidate/MatMul:MatMul", "candidate/bias/Initializer/Const:Const",
                       "candidate/bias:VariableV2", "candidate/BiasAdd:BiasAdd"] + GRU_TAIL,
    ("1.8", "GRUCell"):
        GATES + ["gates/bias/Initializer/Const:Const", "gates/bias:VariableV2"]
        + CANDIDATE + ["candidate/bias/Initializer/zeros:Const", "candidate/bias:VariableV2",
                       "concat/axis:Const", "concat:ConcatV2", "MatMul:MatMul",
                       "BiasAdd:BiasAdd", "Sigmoid:Sigmoid", "split/split_dim:Const",
                       "split:Split", "mul:Mul", "concat_1/axis:Const", "concat_1:ConcatV2",
                       "MatMul_1:MatMul", "BiasAdd_1:BiasAdd"] + GRU_TAIL,
    ("1.2", "BasicLSTMCell"):
        KERNEL + ["concat/axis:Const", "concat:ConcatV2", "MatMul:MatMul",
                  "bias/Initializer/Const:Const", "bias:VariableV2", "BiasAdd:BiasAdd",
                  "split/split_dim:Const", "split:Split", "add/y:Const", "add:AddV2"]
        + LSTM_TAIL,
    ("1.8", "BasicLSTMCell"):
        KERNEL + ["bias/Initializer/zeros:Const", "bias:VariableV2", "Const:Const",
                  "concat/axis:Const", "concat:ConcatV2", "MatMul:MatMul", "BiasAdd:BiasAdd",
                  "split:Split", "Const_1:Const", "add:AddV2"] + LSTM_TAIL,
}


@pytest.mark.parametrize("release, cell_class", sorted(EXPECTED))
def test_a_cells_first_step_builds_the_releases_ops(release, cell_class):
    assert cell_ops(release, cell_class) == EXPECTED[release, cell_class]


@pytest.mark.parametrize("release, zero_state_ops", [("1.2", 10), ("1.8", 10), ("1.15", 10)])
def test_the_zero_state_is_ten_ops_from_1_2(release, zero_state_ops):
    # _concat(batch, 4) (ExpandDims/dim, ExpandDims, Const, concat/axis, concat), zeros
    # (zeros/Const, Fill), the static _concat (ExpandDims_1/dim, ExpandDims_1, Const_1).
    with releases.using(release):
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [None, 3])
        tf.nn.static_rnn(tf.nn.rnn_cell.BasicRNNCell(4), [x], dtype=tf.float32)
        names = [op.name for op in tf.get_default_graph().get_operations()]
    assert sum("BasicRNNCellZeroState" in name for name in names) == zero_state_ops
    order = [n.split("ZeroState/")[1] for n in names if "ZeroState" in n]
    tail = ["zeros/Const", "zeros", "ExpandDims_1/dim", "ExpandDims_1", "Const_1"]
    if release == "1.2":  # 1.2-1.3: the static twin before zeros
        tail = ["ExpandDims_1/dim", "ExpandDims_1", "Const_1", "zeros/Const", "zeros"]
    assert order[5:] == tail


def dynamic_rnn_graph(release, build):
    with releases.using(release):
        tf.reset_default_graph()
        tf.set_random_seed(42)
        x = tf.placeholder(tf.float32, [None, 2, 3])
        build(x)
        return tf.get_default_graph().get_operations()


# The kernel's seed2 (ops before its RandomUniform) under dynamic_rnn, read in rnn.py:
# 1.6+ (1.12's notebook graph agrees op for op): 87.  1.3-1.4: no maximum_iterations, so
# no Maximum/x, Maximum, Minimum and no counter (iteration_counter, its Enter, Merge,
# Switch, Identity, Less, Less/Enter, LogicalAnd, add/y, add): 87 - 13 = 74.  1.2: the
# loop takes time and batch from one Shape (no Shape_2): 73; and dynamic_rnn slices the
# batch size once more to compare it (`for input_ in input_shape: input_[1].get_shape()`,
# rnn.py 1.2.1 line 540: stack, stack_1, stack_2, StridedSlice): 77.
@pytest.mark.parametrize("release, seed2", [("1.2", 77), ("1.3", 74), ("1.8", 87),
                                            ("1.15", 87)])
def test_dynamic_rnn_builds_the_releases_loop(release, seed2):
    ops = dynamic_rnn_graph(release, lambda x: tf.nn.dynamic_rnn(
        tf.nn.rnn_cell.BasicRNNCell(5), x, dtype=tf.float32))
    assert [op.get_attr("seed2") for op in ops if op.type == "RandomUniform"] == [seed2]
    types = [op.type for op in ops]
    has_bound = release not in ("1.2", "1.3")
    assert ("Maximum" in types, "LogicalAnd" in types) == (has_bound, has_bound)
    bias = types.index("VariableV2", types.index("VariableV2") + 1)
    # 1.2-1.3 (_linear): the bias after the step's MatMul; 1.5+: made in build, before it.
    assert (types.index("MatMul") < bias) == (not has_bound)


def test_bidirectional_dynamic_rnn_is_tf2s_for_1_15_and_uses_the_releases_loop():
    from tensorflow.python.ops import rnn as tf2_rnn

    def build(function):
        return lambda x: function(tf.nn.rnn_cell.GRUCell(5), tf.nn.rnn_cell.BasicLSTMCell(4),
                                  x, dtype=tf.float32)

    ours = dynamic_rnn_graph("1.15", build(tf.nn.bidirectional_dynamic_rnn))
    theirs = dynamic_rnn_graph("1.15", build(tf2_rnn.bidirectional_dynamic_rnn))
    assert [(op.name, op.type) for op in ours] == [(op.name, op.type) for op in theirs]
    old = dynamic_rnn_graph("1.3", build(tf.nn.bidirectional_dynamic_rnn))
    assert not any(op.type == "LogicalAnd" for op in old)
    assert [op.name for op in old if op.type == "VariableV2"][:1] == [
        "bidirectional_rnn/fw/gru_cell/gates/kernel"]


@pytest.mark.parametrize("release, dropped_parts", [("1.2", 2), ("1.8", 1)])
def test_dropout_wrapper_drops_the_releases_state_parts(release, dropped_parts):
    # 1.2.1's DropoutWrapper drops c and h of an LSTM state; 1.4+ spare c
    # (_default_dropout_state_filter_visitor).  Each part's dropout has one random op.
    with releases.using(release):
        tf.reset_default_graph()
        x = tf.placeholder(tf.float32, [None, 3])
        cell = tf.nn.rnn_cell.DropoutWrapper(tf.nn.rnn_cell.BasicLSTMCell(4),
                                             state_keep_prob=0.5, seed=1)
        tf.nn.static_rnn(cell, [x], dtype=tf.float32)
        uniforms = [op for op in tf.get_default_graph().get_operations()
                    if op.type == "RandomUniform" and "dropout" in op.name]
    assert len(uniforms) == dropped_parts
