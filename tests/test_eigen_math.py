"""``--tf1-arithmetic on``'s float32 sums: added in the order TF 1.x's Eigen build added them
(``runtime/eigen_math.py``), checked against a NumPy loop that adds one float32 at a time in
that order (Eigen's ``InnerMostDimReducer`` and ``predux``), and against a published run."""

import os
import sys

import numpy as np
import pytest

from seed import under_import_rule
import tf1repro.tf1 as tf
from tf1repro.runtime import eigen_math, releases

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "published"))
import hunkim_lab04_1_tf1_2 as lab04  # noqa: E402

F = np.float32


def in_order(values, lanes):
    """Eigen's order, one float32 addition at a time: whole packets lane by lane, the lanes
    pairwise, the rest one after the other, the packet last."""
    whole = len(values) // lanes * lanes
    lane = [F(0)] * lanes
    for start in range(0, whole, lanes):
        lane = [F(lane[k] + values[start + k]) for k in range(lanes)]
    if lanes == 8:
        lane = [F(lane[k] + lane[k + 4]) for k in range(4)]
    packet = F(F(lane[0] + lane[2]) + F(lane[1] + lane[3]))
    rest = F(0)
    for value in values[whole:]:
        rest = F(rest + value)
    return F(rest + packet)


def one_after_the_other(values):
    total = F(0)
    for value in values:
        total = F(total + value)
    return total


def run(build, feed_values):
    tf.reset_default_graph()
    fetches, feed = build()
    with tf.Session() as sess:
        return sess.run(fetches, dict(zip(feed, feed_values)))


@pytest.mark.parametrize("release,lanes", [("1.2", 4), ("1.15", 8)])
def test_sums_and_means_add_in_the_release_builds_order(release, lanes):
    rng = np.random.RandomState(5)
    vector = (rng.randn(37) * 10).astype(F)
    matrix = (rng.randn(3, 21) * 10).astype(F)
    column = (rng.randn(13, 1) * 10).astype(F)

    def build():
        v = tf.placeholder(tf.float32)                      # rank unknown: the whole tensor
        m = tf.placeholder(tf.float32, [None, 21])
        c = tf.placeholder(tf.float32, [None, 1])            # a column: its size-1 dim dropped
        return [tf.reduce_sum(v), tf.reduce_mean(v), tf.reduce_sum(m, 1),
                tf.reduce_mean(m, axis=-1, keep_dims=True), tf.reduce_sum(c, 0),
                tf.reduce_sum(m, 0)], [v, m, c]

    assert releases.fact("eigen_sum_lanes", releases.check(release)) == lanes
    with releases.using(release), eigen_math.eigen_order():
        total, mean, rows, row_means, col, columns = run(build, [vector, matrix, column])
    assert total == in_order(vector, lanes)
    assert mean == F(in_order(vector, lanes) / F(37))
    assert rows.tolist() == [in_order(row, lanes) for row in matrix]
    assert row_means.shape == (3, 1)
    assert row_means[:, 0].tolist() == [F(in_order(row, lanes) / F(21)) for row in matrix]
    assert col.shape == (1,) and col[0] == in_order(column[:, 0], lanes)
    # a column's sum keeps the innermost dimension: one row after the other, as TF 2.21 does
    assert columns.tolist() == [one_after_the_other(matrix[:, j]) for j in range(21)]


def test_the_order_is_not_tf_2s():
    # Five-term sums, as lab-04-1's: TF 2.21 adds them in turn, TF 1.2's SSE2 build did not;
    # over these draws the two differ, so the test above could not pass on TF 2.21's kernel.
    draws = (np.random.RandomState(7).randn(50, 5) * 100).astype(F)

    def build():
        x = tf.placeholder(tf.float32, [50, 5])
        return [tf.reduce_sum(x, 1)], [x]

    with releases.using("1.2"):
        own = run(build, [draws])[0].tolist()
        with eigen_math.eigen_order():
            eigen = run(build, [draws])[0].tolist()
    assert own == [one_after_the_other(d) for d in draws]
    assert eigen == [in_order(d, 4) for d in draws]
    assert own != eigen


def test_one_node_per_sum_with_tf1s_name_and_gradient():
    def build():
        x = tf.placeholder(tf.float32, [None, 3])
        w = tf.Variable(tf.ones([3]))
        loss = tf.reduce_mean(tf.square(x * w), name="loss")
        grad, = tf.gradients(loss, [w])
        dropped = tf.nn.dropout(x, 0.5)   # seeded from the op count after the gradient
        return [loss, grad], [x], dropped.op.inputs

    def graph(ordered):
        tf.reset_default_graph()
        tf.set_random_seed(1)
        with releases.using("1.2"), (eigen_math.eigen_order() if ordered else _nothing()):
            (loss, grad), (x,), _ = build()
            names = [op.name for op in tf.get_default_graph().get_operations()]
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                return names, sess.run([loss, grad], {x: np.arange(6, dtype=F).reshape(2, 3)})

    names_own, (loss_own, grad_own) = graph(False)
    names_eigen, (loss_eigen, grad_eigen) = graph(True)
    assert names_eigen == names_own              # same ops, same names: op seeds unmoved
    assert "loss" in names_eigen
    assert loss_eigen == loss_own == F(np.mean(np.square(np.arange(6, dtype=F))))
    np.testing.assert_array_equal(grad_eigen, grad_own)


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def lab04_printed(n_steps):
    namespace = {"n_steps": n_steps, "printed": {}}
    program = "import tensorflow as tf\ntf.reset_default_graph()\n" + lab04.PROGRAM
    with releases.using("1.2"), eigen_math.eigen_order():
        exec(under_import_rule(program), namespace)  # noqa: S102 - the script
    return {step: (f"{cost:.6g}", [F(p) for p in predictions])
            for step, (cost, predictions) in namespace["printed"].items()}


def recorded(step):
    cost, predictions = lab04.RECORDED[step]
    return cost, [F(float(p)) for p in predictions]


def test_lab04_prints_its_recorded_step_2000_in_tf1_2s_order():
    ordered = lab04_printed(2001)
    for step in lab04.RECORDED:
        assert ordered[step] == recorded(step), step
    # (TF 2.21's order prints the same lines until step 1990, and 4.89452 at step 2000:
    # measured with run --tf1-arithmetic off; test_the_order_is_not_tf_2s shows the sums differ)


def test_a_columns_sum_adds_row_after_row():
    rng = np.random.RandomState(3)
    matrix = (rng.randn(5000, 40) * 10).astype(F)
    cube = (rng.randn(2, 6, 3) * 10).astype(F)

    def build():
        m = tf.placeholder(tf.float32, [None, 40])
        c = tf.placeholder(tf.float32, [2, 6, 3])
        return [tf.reduce_sum(m, 0), tf.reduce_mean(c, 1)], [m, c]

    with releases.using("1.12"):
        own, _ = run(build, [matrix, cube])
        with eigen_math.eigen_order():
            columns, middle = run(build, [matrix, cube])
    in_turn = np.cumsum(matrix, axis=0, dtype=F)[-1].tolist()   # NumPy's cumsum: in turn
    assert in_turn == [one_after_the_other(matrix[:, j]) for j in range(3)] + in_turn[3:]
    assert columns.tolist() == in_turn
    assert own.tolist() != in_turn          # TF 2.21 adds a long column's values otherwise
    assert middle.tolist() == [[F(one_after_the_other(cube[a, :, c]) / F(6)) for c in range(3)]
                               for a in range(2)]


# Eigen's float32 pexp (Cephes) and scalar_logistic_op<float>, restated from the headers the
# wheels ship (arch/SSE|AVX/MathFunctions.h; functors/UnaryFunctors.h), one float32 operation
# at a time, no fused multiply-add.
def numpy_pexp(x):
    clamped = max(min(x, F(88.3762626647950)), F(-88.3762626647949))
    m = F(np.floor(F(F(clamped * F(1.44269504088896341)) + F(0.5))))
    r = F(F(clamped - F(m * F(0.693359375))) - F(m * F(-2.12194440e-4)))
    y = F(1.9875691500e-4)
    for c in (1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1,
              5.0000001201e-1):
        y = F(F(y * r) + F(c))
    y = F(F(F(y * F(r * r)) + r) + F(1))
    return max(F(y * F(2.0 ** int(m))), x)


def numpy_rational(x):
    x = max(min(x, F(18)), F(-18))
    x2 = F(x * x)
    p = F(F(x2 * F(4.37031012579801e-11)) + F(1.15627324459942e-07))
    for c in (6.08574864600143e-05, 8.51377133304701e-03, 2.48287947061529e-01):
        p = F(F(x2 * p) + F(c))
    p = F(x * p)
    q = F(F(x2 * F(6.10247389755681e-13)) + F(5.76102136993427e-09))
    for c in (6.29106785017040e-06, 1.70198817374094e-03, 1.16817656904453e-01,
              9.93151921023180e-01):
        q = F(F(x2 * q) + F(c))
    return max(min(F(F(p / q) + F(0.5)), F(1)), F(0))


def numpy_expf_sigmoid(x, clamp):
    if clamp and (x < -18 or x > 18):
        return F(0) if x < -18 else F(1)
    return F(F(1) / F(F(1) + F(np.exp(-np.float64(x)))))


@pytest.mark.parametrize("release,lanes,packets", [("1.2", 4, "pexp"), ("1.12", 8, "pexp"),
                                                    ("1.15", 8, "rational_clamped")])
def test_sigmoid_as_each_wheel_computed_it(release, lanes, packets):
    values = np.concatenate([np.random.RandomState(9).randn(400) * 6,
                             [-30, -19, -17.5, 0.0, 17.5, 19, 30]]).astype(F)
    values = values[:len(values) - len(values) % lanes + 5]     # whole packets and a rest
    whole = len(values) // lanes * lanes
    if packets == "pexp":
        head = [F(F(1) / F(F(1) + numpy_pexp(F(-v)))) for v in values[:whole]]
    else:
        head = [numpy_rational(v) for v in values[:whole]]
    expected = head + [numpy_expf_sigmoid(v, packets == "rational_clamped")
                       for v in values[whole:]]

    def build():
        x = tf.placeholder(tf.float32, [None])
        return [tf.sigmoid(x)], [x]

    assert releases.fact("eigen_sigmoid", releases.check(release)) == packets
    with releases.using(release):
        own = run(build, [values])[0].tolist()
        with eigen_math.eigen_order():
            got = run(build, [values])[0].tolist()
    assert got == expected
    assert own != expected                      # TF 2.21's kernel is neither
