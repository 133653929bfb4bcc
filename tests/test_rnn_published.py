"""A published seeded TF 1.x RNN run, run again: ageron/handson-ml's chapter 14 notebook
under TF 1.12 (``tests/published/handson_ml_ch14_tf1_12.py`` names the commit and why
1.12), its cells taken as printed and run through ``tf1repro.tf1`` by the import rule.

The kernel's seed is exact (the notebook's saved GraphDef gives ``seed2`` 20 and every op
name before it); the printed values agree to float32 rounding: TF 2.21's CPU kernels are
not the Eigen build 1.12 ran (the notebook's hand-written RNN, In [3]-[6], differs from
its print by as much: ``test_the_hand_written_rnn_differs_from_its_print_by_as_much``).
"""

import os
import sys

import numpy as np

from seed import under_import_rule
from tf1repro.runtime import releases

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "published"))
import handson_ml_ch14_tf1_12 as published  # noqa: E402
import hunkim_lab12_1_tf1_0 as hunkim  # noqa: E402


PROLOGUE = """import numpy as np
import tensorflow as tf
tf.reset_default_graph()
tf.set_random_seed(42)
np.random.seed(42)
n_steps, n_inputs, n_neurons = 2, 3, 5
"""
# Measured over the 80 printed numbers of In [11], [12] and [25]: 25 identical as float32,
# the largest difference 2.4e-7 (a few float32 steps near 1.0); a wrong seed moves them by ~1.
ROUNDING = 3e-7


def run(cell, fetch, feed, release="1.12"):
    namespace = {}
    with releases.using(release):
        exec(under_import_rule(PROLOGUE + cell), namespace)  # noqa: S102 - the published cell
        tf = namespace["tf"]
        graph = tf.get_default_graph()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = sess.run([namespace[name] for name in fetch],
                              {namespace[name]: np.array(v) for name, v in feed.items()})
    return graph, values


def test_static_rnn_builds_the_published_graph_and_prints_its_numbers():
    graph, (y0, y1) = run(published.STATIC_TWO_STEPS, ["Y0", "Y1"],
                          {"step0": published.X0_BATCH, "step1": published.X1_BATCH})
    ops = graph.get_operations()
    head = [op.name for op in ops[:len(published.STATIC_GRAPH_HEAD)]]
    assert head == published.STATIC_GRAPH_HEAD
    uniform = ops[len(head) - 1]
    assert (uniform.get_attr("seed"), uniform.get_attr("seed2")) == (42, published.STATIC_SEED2)
    np.testing.assert_allclose(y0, published.Y0_VAL, rtol=0, atol=ROUNDING)
    np.testing.assert_allclose(y1, published.Y1_VAL, rtol=0, atol=ROUNDING)


def test_dynamic_rnn_prints_the_published_numbers():
    _, (outputs,) = run(published.DYNAMIC, ["outputs"], {"X": published.X_BATCH})
    np.testing.assert_allclose(outputs, published.DYNAMIC_OUTPUTS, rtol=0, atol=ROUNDING)


def test_the_hand_written_rnn_differs_from_its_print_by_as_much():
    # In [3]-[6], in this project's words: no cell, two random_normal draws, then tanh.
    cell = """
X0 = tf.placeholder(tf.float32, [None, n_inputs])
unused = tf.placeholder(tf.float32, [None, n_inputs])
w_in = tf.Variable(tf.random_normal(shape=[n_inputs, n_neurons], dtype=tf.float32))
w_rec = tf.Variable(tf.random_normal(shape=[n_neurons, n_neurons], dtype=tf.float32))
bias = tf.Variable(tf.zeros([1, n_neurons], dtype=tf.float32))
Y0 = tf.tanh(tf.matmul(X0, w_in) + bias)
"""
    _, (y0,) = run(cell, ["Y0"], {"X0": published.X0_BATCH})
    printed = [[-0.0664006, 0.9625767, 0.68105793, 0.7091854, -0.898216],
               [0.9977755, -0.719789, -0.9965761, 0.9673924, -0.9998972],
               [0.99999774, -0.99898803, -0.9999989, 0.9967762, -0.9999999],
               [1.0, -1.0, -1.0, -0.99818915, 0.9995087]]
    difference = np.abs(y0 - np.array(printed))
    assert 0 < difference.max() <= ROUNDING


def train(model, iterations):
    namespace = {"n_iterations": iterations}
    with releases.using("1.12"):
        exec(under_import_rule(PROLOGUE + published.TIME_SERIES + model + published.TRAIN),
             namespace)  # noqa: S102 - the published cells
    ops = namespace["tf"].get_default_graph().get_operations()
    return namespace["printed"], [op.get_attr("seed2") for op in ops
                                  if op.type == "RandomUniform"]


# The first MSE is printed after one Adam step: both models print 1.12's digits (the
# wrapper's exactly, the dense model's one float32 step off).  By iteration 100, rounding
# differences have grown through 100 steps: 4e-5 and 2.2e-4 relative (measured); a wrong
# seed anywhere (the projection's, the dense kernel's after dynamic_rnn's TensorArray
# stack) starts from another MSE altogether (14.32 before TensorArraySizeV3 was restored).
def test_the_time_series_models_print_the_published_mse():
    printed, seeds = train(published.PROJECTION_WRAPPER, 101)
    assert seeds == [88, 109]
    assert printed[0] == published.PROJECTION_WRAPPER_MSE[0]
    np.testing.assert_allclose(float(printed[1]), float(published.PROJECTION_WRAPPER_MSE[1]),
                               rtol=1e-4)
    printed, seeds = train(published.DENSE, 101)
    assert seeds == [88, 137]
    np.testing.assert_allclose(float(printed[0]), float(published.DENSE_MSE[0]), rtol=1e-7)
    np.testing.assert_allclose(float(printed[1]), float(published.DENSE_MSE[1]), rtol=5e-4)


# hunkim/DeepLearningZeroToAll's lab-12-1 (tests/published/hunkim_lab12_1_tf1_0.py): a
# BasicLSTMCell under dynamic_rnn, Adam, printed by TF 1.0 or 1.1.  Three steps keep it
# fast; all eleven recorded lines agree (measured), the first to every printed digit.
def test_the_hello_lstm_prints_the_published_losses():
    for release in ("1.0", "1.1"):
        namespace = {"n_iterations": 3}
        with releases.using(release):
            program = "import tensorflow as tf\ntf.reset_default_graph()\n" + hunkim.PROGRAM
            exec(under_import_rule(program), namespace)  # noqa: S102 - the script
        losses = [f"{loss:.6g}" for loss, _ in namespace["printed"]]
        assert losses == hunkim.LOSSES[:3], release
        assert [p for _, p in namespace["printed"]] == hunkim.PREDICTIONS[:3], release
