"""float32 sums and means added in the order TF 1.x's Eigen added them (``--tf1-arithmetic on``).

    install()        # tf1repro.tf1 does this when $TF1REPRO_EIGEN_SUMS is set (runner/arithmetic.py)

A ``Sum`` or ``Mean`` kernel whose reduced dimensions are the innermost ones (a whole
tensor, or ``axis=-1`` of a matrix) ran Eigen's ``InnerMostDimReducer``: the values go
into a packet of P lanes, P at a time, from the first; what is left over after the last
whole packet goes into a scalar; the lanes are then added pairwise (``predux``) and the
scalar added last:

    lanes[k] = (((0 + x[k]) + x[P + k]) + x[2P + k]) + ...      k < P, whole packets only
    packet   = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])      P = 4; P = 8 first folds
                                                                 lanes[k] + lanes[k + 4]
    sum      = (((0 + x[V]) + x[V + 1]) + ...) + packet          V = P * (n // P)
    mean     = sum / n

P was the width of the build's vector registers: TF 1.0-1.5's pip wheels were built for
SSE2 (four float32 lanes), 1.6-1.15's for AVX (eight; fact ``eigen_sum_lanes``).  TF 2.21
adds five values one after the other and, past a few dozen, with more accumulators, so a
float32 sum of 5 values (a lab's mean squared error) or of 759 (a mean over a data set)
rounds differently in its last bit, and after a thousand steps of training a printed digit
moves.  Reductions that keep the innermost dimension (a column's sum) add one row after the
other in both, and are left to TF 2.21's kernel.  Above about 10^5 values TF 1.x split a
whole-tensor sum across the machine's threads, which this does not model.

Each such ``Sum``/``Mean`` stays one node with its TF 1.x name and inputs (the tensor and
the axes): a function call whose body adds in this order, with TF 2.21's gradient of the
op it stands for.  The graph has as many ops as before, so op seeds do not move.
"""

import contextlib
import os

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.framework import tensor_util
from tensorflow.python.ops import gen_functional_ops, gen_math_ops, math_grad

from tf1repro.runtime import releases

ENV = "TF1REPRO_EIGEN_SUMS"   # set by runner/arithmetic.py for --tf1-arithmetic on
_own = {"Sum": gen_math_ops._sum, "Mean": gen_math_ops.mean}
_gradients = {"Sum": math_grad._SumGrad, "Mean": math_grad._MeanGrad}
_bodies = {}


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
        # not inlined: inlined, a call's control dependents no longer waited for an input
        # that failed (an exhausted iterator's last run still counted a metric's batch)
        @tf.function(input_signature=[tf.TensorSpec(None, dtype), tf.TensorSpec(None, tf.int32)],
                     autograph=False, experimental_attributes={"_noinline": True})
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
    last_kept = tf.reduce_max(tf.concat([[-1], tf.boolean_mask(dims, ~reduced & counted)], 0))
    first_reduced = tf.reduce_min(tf.concat([[rank], tf.boolean_mask(dims, reduced & counted)], 0))
    n = tf.reduce_prod(tf.where(reduced, shape, 1))
    out_shape = (tf.where(reduced, 1, shape) if keep_dims
                 else tf.boolean_mask(shape, ~reduced))

    def eigen():
        total = lanes_sum(tf.reshape(x, [-1, n]), lanes)
        if kind == "Mean":
            total = total / tf.cast(n, dtype)
        return tf.reshape(total, out_shape)

    def own():
        return _own[kind](x, axes, keep_dims)
    return tf.cond(last_kept < first_reduced, eigen, own)


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


def _reduction(kind):
    own = _own[kind]

    def reduce(input, axis, keep_dims=False, name=None):
        lanes = releases.fact("eigen_sum_lanes")
        if tf.executing_eagerly() or not lanes:
            return own(input, axis, keep_dims, name=name)
        graph = v1.get_default_graph()
        with graph.name_scope(name or kind) as scope:   # as the op's own wrapper names things
            x = tf.convert_to_tensor(input, name="input")
            axes = tf.convert_to_tensor(axis, name="reduction_indices")
            if x.dtype != tf.float32 or axes.dtype != tf.int32:
                return own(x, axes, keep_dims, name=scope)
            body = _body(kind, bool(keep_dims), lanes, x.dtype)
            if not graph._get_function(body.name):
                body.add_to_graph(graph)
            (y,) = gen_functional_ops.partitioned_call(
                args=[x, axes], Tout=[x.dtype], f=body, name=scope)
        y.set_shape(_static_shape(kind, x, axes, bool(keep_dims)))
        y.op._gradient_function = (
            lambda op, grad: _gradients[kind](_AsReduction(op, bool(keep_dims)), grad))
        return y
    return reduce


def install():
    """Every float32 ``Sum``/``Mean`` built from now on adds in Eigen's order of the release
    in force (``reduce_sum``, ``reduce_mean``, and the sums inside gradients)."""
    gen_math_ops._sum = _reduction("Sum")
    gen_math_ops.mean = _reduction("Mean")


@contextlib.contextmanager
def eigen_order():
    """Eigen's order for the graphs built inside the block only (tests; the process keeps
    TF 2.21's kernels before and after)."""
    before = gen_math_ops._sum, gen_math_ops.mean
    install()
    try:
        yield
    finally:
        gen_math_ops._sum, gen_math_ops.mean = before


def requested():
    return os.environ.get(ENV, "") == "1"
