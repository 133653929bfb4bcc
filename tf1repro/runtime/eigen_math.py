"""float32 sums and sigmoids computed as TF 1.x's pip wheels computed them (``--tf1-arithmetic on``).

    install()        # tf1repro.tf1 does this when $TF1REPRO_EIGEN_MATH is set (runner/arithmetic.py)

**Sums.** A ``Sum`` or ``Mean`` kernel whose reduced dimensions are the innermost ones (a
whole tensor, or ``axis=-1`` of a matrix) ran Eigen's ``InnerMostDimReducer``: the values
go into a packet of P lanes, P at a time, from the first; what is left over after the last
whole packet goes into a scalar; the lanes are then added pairwise (``predux``) and the
scalar added last:

    lanes[k] = (((0 + x[k]) + x[P + k]) + x[2P + k]) + ...      k < P, whole packets only
    packet   = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])      P = 4; P = 8 first folds
                                                                 lanes[k] + lanes[k + 4]
    sum      = (((0 + x[V]) + x[V + 1]) + ...) + packet          V = P * (n // P)
    mean     = sum / n

P was the width of the wheel's vectors: TF 1.0-1.4's pip wheels were SSE2 builds (four
float32 lanes), 1.5.1's and later AVX builds without fused multiply-adds (eight; fact
``eigen_sum_lanes``, read in the wheels' machine code).  TF 2.21 adds five values one after
the other and, past a few dozen, with more accumulators, so a float32 sum of 5 values (a
lab's mean squared error) or of 759 (a mean over a data set) rounds differently in its last
bit, and after a thousand steps of training a printed digit moves.  Reductions that keep
the innermost dimension (a column's sum, a middle axis) added one row after the other
(``InnerMostDimPreserver``); TF 2.21's kernel adds them in another order.  Other patterns (the
first and last of three axes) are left to TF 2.21's kernel.  Above about 10^5 values TF 1.x
split a whole-tensor sum across the machine's threads, and from 1.13 a sum of more than 8192
float32 values in one row added its halves (a tree, ``kLeafSize``); neither is modelled.

**Sigmoid.** A vectorised kernel computes the values in whole packets (the first
P * (n // P)) with the packet formula and the rest with the scalar one (Eigen's
``TensorExecutor``).  For the float32 ``Sigmoid`` (fact ``eigen_sigmoid``, read in the Eigen
headers each wheel ships): until 1.12 both are ``1 / (1 + exp(-x))``, packets through
Eigen's ``pexp`` (Cephes' polynomial, float32, no fused multiply-add) and the rest through
the C library's ``expf`` (here: float64's ``exp`` rounded once); from 1.13 packets are a
9/10-degree rational approximation and the rest ``1 / (1 + expf(-x))`` (from 1.14 0 below
-18 and 1 above 18).  TF 2.21's kernel differs from each in the last bit or two.  Its
gradient kernel (``SigmoidGrad``) is TF 1.x's and is left as it is.

Each such ``Sum``/``Mean``/``Sigmoid`` stays one node with its TF 1.x name and inputs: a
function call whose body computes in this order, with TF 2.21's gradient of the op it
stands for.  The graph has as many ops as before, so op seeds do not move.
"""

import contextlib
import os

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.core.protobuf import config_pb2, rewriter_config_pb2
from tensorflow.python.framework import tensor_util
from tensorflow.python.ops import gen_functional_ops, gen_math_ops, math_grad

from tf1repro.runtime import releases

ENV = "TF1REPRO_EIGEN_MATH"   # set by runner/arithmetic.py for --tf1-arithmetic on
_own = {"Sum": gen_math_ops._sum, "Mean": gen_math_ops.mean, "Sigmoid": gen_math_ops.sigmoid}
_gradients = {"Sum": math_grad._SumGrad, "Mean": math_grad._MeanGrad}
# Eigen's pexp for float (arch/SSE and arch/AVX MathFunctions.h, Cephes' expf): the clamp,
# ln 2 in two parts, the polynomial's coefficients from the highest power down.
EXP_HI, EXP_LO, LOG2E = 88.3762626647950, -88.3762626647949, 1.44269504088896341
LN2_PARTS = 0.693359375, -2.12194440e-4
EXP_POLYNOMIAL = (1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2,
                  1.6666665459e-1, 5.0000001201e-1)
# Eigen's scalar_logistic_op<float> (functors/UnaryFunctors.h, 1.13-1.15): the coefficients of
# p (odd: x**9 down to x) and q (even: x**10 down to 1).
LOGISTIC_P = (4.37031012579801e-11, 1.15627324459942e-07, 6.08574864600143e-05,
              8.51377133304701e-03, 2.48287947061529e-01)
LOGISTIC_Q = (6.10247389755681e-13, 5.76102136993427e-09, 6.29106785017040e-06,
              1.70198817374094e-03, 1.16817656904453e-01, 9.93151921023180e-01)
_bodies = {}
# The bodies run as written.  Not inlined: inlined, a call's control dependents no longer
# waited for an input that failed (an exhausted iterator's last run still counted a
# metric's batch).  Not rewritten: a Session's Grappler rewrites the functions of its graph
# (constant folding changed ``(y * r2 + r) + 1`` in pexp) unless they are tf.data's, and a
# call instantiates its body with the call's config.
_BODY_ATTRIBUTES = {"_noinline": True, "_tf_data_function": True}
_AS_WRITTEN = config_pb2.ConfigProto(graph_options=config_pb2.GraphOptions(
    rewrite_options=rewriter_config_pb2.RewriterConfig(disable_meta_optimizer=True))
).SerializeToString()


def lanes_sum(rows, lanes):
    """Each row of the float matrix ``rows`` summed as Eigen's InnerMostDimReducer did."""
    n = tf.shape(rows)[1]
    whole = n - n % lanes
    outer = tf.shape(rows)[0]
    zeros = tf.zeros([outer, 1], rows.dtype)
    packets = tf.reshape(rows[:, :whole], [outer, -1, lanes])
    packets = tf.concat([tf.zeros([outer, 1, lanes], rows.dtype), packets], 1)
    lane = tf.cumsum(packets, axis=1)[:, -1]            # cumsum adds one after the other
    if lanes == 8:
        lane = lane[:, :4] + lane[:, 4:]
    packet = (lane[:, 0] + lane[:, 2]) + (lane[:, 1] + lane[:, 3])
    scalar = tf.cumsum(tf.concat([zeros, rows[:, whole:]], 1), axis=1)[:, -1]
    return scalar + packet


def _body(kind, keep_dims, lanes, dtype):
    """The function a ``kind`` node calls: Eigen's order when the innermost dimensions are
    reduced, TF 2.21's own kernel otherwise."""
    key = kind, keep_dims, lanes, dtype
    if key not in _bodies:
        @tf.function(input_signature=[tf.TensorSpec(None, dtype), tf.TensorSpec(None, tf.int32)],
                     autograph=False, experimental_attributes=_BODY_ATTRIBUTES)
        def body(x, axes):
            # Grappler inlines the body under the call's name: a scope of its own keeps its
            # ops from meeting the ops TF 1.x put under the same name (losses' num_present/Equal)
            with tf.name_scope("eigen_order"):
                return _in_order(kind, keep_dims, lanes, dtype, x, axes)
        _bodies[key] = body.get_concrete_function()
    return _bodies[key]


def _in_order(kind, keep_dims, lanes, dtype, x, axes):
    shape = tf.shape(x)
    rank = tf.size(shape)
    axes = tf.math.floormod(tf.reshape(axes, [-1]), tf.maximum(rank, 1))
    dims = tf.range(rank)
    reduced = tf.reduce_any(tf.equal(dims[:, None], axes[None, :]), 1)
    counted = tf.not_equal(shape, 1)   # TF's kernels drop dimensions of size 1 first
    kept_dims = tf.boolean_mask(dims, ~reduced & counted)
    reduced_dims = tf.boolean_mask(dims, reduced & counted)
    first_reduced = tf.reduce_min(tf.concat([[rank], reduced_dims], 0))
    last_reduced = tf.reduce_max(tf.concat([[-1], reduced_dims], 0))
    kept_inside = tf.reduce_any((kept_dims > first_reduced) & (kept_dims < last_reduced))
    n = tf.reduce_prod(tf.where(reduced, shape, 1))
    kept_shape = tf.where(reduced, 1, shape)
    out_shape = kept_shape if keep_dims else tf.boolean_mask(shape, ~reduced)
    # 0: the reduced dimensions are the innermost; 1: one block of them before kept ones
    # (a column's sum, a middle axis): one value after the other; 2: anything else
    case = tf.where(tf.reduce_max(tf.concat([[-1], kept_dims], 0)) < first_reduced, 0,
                    tf.where(kept_inside, 2, 1))

    def finish(total):
        if kind == "Mean":
            total = total / tf.cast(n, dtype)
        return tf.reshape(total, out_shape)

    def innermost():
        return finish(lanes_sum(tf.reshape(x, [-1, n]), lanes))

    def in_turn():
        outer = tf.reduce_prod(kept_shape[:first_reduced])
        block = tf.reshape(x, [outer, n, -1])
        block = tf.concat([tf.zeros_like(block[:, :1]), block], 1)
        return finish(tf.cumsum(block, axis=1)[:, -1])

    def own():
        return _own[kind](x, axes, keep_dims)
    return tf.switch_case(case, [innermost, in_turn, own])


class _AsReduction:
    """The call node as its gradient function sees a ``Sum``/``Mean``: same inputs and
    outputs, ``keep_dims`` among its attributes."""

    def __init__(self, op, keep_dims):
        self.inputs, self.outputs, self.graph = op.inputs, op.outputs, op.graph
        self.name, self._keep_dims = op.name, keep_dims
        self.skip_input_indices = None

    def get_attr(self, name):
        if name == "keep_dims":
            return self._keep_dims
        raise ValueError(name)


def _static_shape(kind, x, axis, keep_dims):
    """The shape TF's own kernel would give the result (its shape function)."""
    with tf.Graph().as_default():
        value = tensor_util.constant_value(axis)
        axes = (tf.constant(value) if value is not None
                else v1.placeholder(axis.dtype, axis.shape))
        return _own[kind](v1.placeholder(x.dtype, x.shape), axes, keep_dims).shape


def _call(kind, body, args, name, shape, gradient):
    """One node named as TF 1.x named ``kind``'s op, calling ``body`` on ``args``."""
    graph = v1.get_default_graph()
    if not graph._get_function(body.name):
        body.add_to_graph(graph)
    (y,) = gen_functional_ops.partitioned_call(args=args, Tout=[args[0].dtype], f=body,
                                               config_proto=_AS_WRITTEN, name=name)
    y.set_shape(shape)
    y.op._gradient_function = gradient
    return y


def _reduction(kind):
    own = _own[kind]

    def reduce(input, axis, keep_dims=False, name=None):
        lanes = releases.fact("eigen_sum_lanes")
        if tf.executing_eagerly():
            return own(input, axis, keep_dims, name=name)
        with v1.get_default_graph().name_scope(name or kind) as scope:  # as the op's wrapper
            x = tf.convert_to_tensor(input, name="input")
            axes = tf.convert_to_tensor(axis, name="reduction_indices")
            if x.dtype != tf.float32 or axes.dtype != tf.int32:
                return own(x, axes, keep_dims, name=scope)
            keep = bool(keep_dims)
            return _call(kind, _body(kind, keep, lanes, x.dtype), [x, axes], scope,
                         _static_shape(kind, x, axes, keep),
                         lambda op, grad: _gradients[kind](_AsReduction(op, keep), grad))
    return reduce


def cephes_exp(x):
    """Eigen's float32 ``pexp`` (no fused multiply-add), op by op."""
    f32 = lambda value: tf.constant(value, tf.float32)  # noqa: E731
    clamped = tf.maximum(tf.minimum(x, f32(EXP_HI)), f32(EXP_LO))
    m = tf.floor(clamped * f32(LOG2E) + f32(0.5))
    r = (clamped - m * f32(LN2_PARTS[0])) - m * f32(LN2_PARTS[1])
    r2 = r * r
    y = f32(EXP_POLYNOMIAL[0])
    for coefficient in EXP_POLYNOMIAL[1:]:
        y = y * r + f32(coefficient)
    y = (y * r2 + r) + f32(1.0)
    two_to_m = tf.bitcast(tf.bitwise.left_shift(tf.cast(m, tf.int32) + 127, 23), tf.float32)
    return tf.maximum(y * two_to_m, x)


def rational_logistic(x):
    """Eigen's float32 ``scalar_logistic_op`` packets (1.13-1.15): p(x) / q(x) + 1/2 on
    [-18, 18], p odd and q even, by Horner's rule in x**2, no fused multiply-add."""
    f32 = lambda value: tf.constant(value, tf.float32)  # noqa: E731
    x = tf.maximum(tf.minimum(x, f32(18.0)), f32(-18.0))
    x2 = x * x
    p = x2 * f32(LOGISTIC_P[0]) + f32(LOGISTIC_P[1])
    for coefficient in LOGISTIC_P[2:]:
        p = x2 * p + f32(coefficient)
    p = x * p
    q = x2 * f32(LOGISTIC_Q[0]) + f32(LOGISTIC_Q[1])
    for coefficient in LOGISTIC_Q[2:]:
        q = x2 * q + f32(coefficient)
    return tf.maximum(tf.minimum(p / q + f32(0.5), f32(1.0)), f32(0.0))


def libm_exp(x):
    """``expf``: exp in float64, rounded once to float32."""
    return tf.cast(tf.exp(tf.cast(x, tf.float64)), tf.float32)


def _sigmoid_body(packets, lanes):
    key = "Sigmoid", packets, lanes
    if key not in _bodies:
        @tf.function(input_signature=[tf.TensorSpec(None, tf.float32)], autograph=False,
                     experimental_attributes=_BODY_ATTRIBUTES)
        def body(x):
            with tf.name_scope("eigen_order"):
                flat = tf.reshape(x, [-1])
                n = tf.size(flat)
                whole, rest = flat[:n - n % lanes], flat[n - n % lanes:]
                if packets == "pexp":
                    head = 1.0 / (1.0 + cephes_exp(-whole))
                else:
                    head = rational_logistic(whole)
                tail = 1.0 / (1.0 + libm_exp(-rest))
                if packets == "rational_clamped":   # 1.14's scalar path: 0 below -18, 1 above 18
                    tail = tf.where(rest < -18.0, tf.zeros_like(rest),
                                    tf.where(rest > 18.0, tf.ones_like(rest), tail))
                return tf.reshape(tf.concat([head, tail], 0), tf.shape(x))
        _bodies[key] = body.get_concrete_function()
    return _bodies[key]


def _sigmoid(x, name=None):
    if tf.executing_eagerly():
        return _own["Sigmoid"](x, name=name)
    with v1.get_default_graph().name_scope(name or "Sigmoid") as scope:
        x = tf.convert_to_tensor(x, name="x")
        if x.dtype != tf.float32:
            return _own["Sigmoid"](x, name=scope)
        body = _sigmoid_body(releases.fact("eigen_sigmoid"), releases.fact("eigen_sum_lanes"))
        return _call("Sigmoid", body, [x], scope, x.shape, math_grad._SigmoidGrad)


def install():
    """Every float32 ``Sum``/``Mean``/``Sigmoid`` built from now on computes as the release
    in force did (``reduce_sum``, ``reduce_mean``, the sums inside gradients, ``tf.sigmoid``
    and the cells' gates)."""
    gen_math_ops._sum = _reduction("Sum")
    gen_math_ops.mean = _reduction("Mean")
    gen_math_ops.sigmoid = _sigmoid


@contextlib.contextmanager
def eigen_order():
    """Eigen's order for the graphs built inside the block only (tests; the process keeps
    TF 2.21's kernels before and after)."""
    before = gen_math_ops._sum, gen_math_ops.mean, gen_math_ops.sigmoid
    install()
    try:
        yield
    finally:
        gen_math_ops._sum, gen_math_ops.mean, gen_math_ops.sigmoid = before


def requested():
    return os.environ.get(ENV, "") == "1"
