"""``tf.nn.moments`` as the chosen TF 1.x release built it (fact ``moments``).

    mean, variance = moments(h, [0])        # the release's ops, in its name scope "moments"

Each release's ``python/ops/nn_impl.py``:

- 1.0-1.1 ("sufficient"): shifted by the stopped batch mean, through
  ``sufficient_statistics`` (the count from the runtime shape when a reduced
  dimension is unknown: ``Shape``, ``Cast``, ``Gather``, ``Const``, ``count``) and
  ``normalize_moments`` (``divisor``, ``shifted_mean``, ``mean``, ``Mul``,
  ``Square``, ``variance``): 23 ops for [None, C] over axis 0.
- 1.2 ("shifted"): the same shift in place: ``Mean``, ``StopGradient``, ``Sub``,
  ``shifted_mean``, ``SquaredDifference``, ``Mean_1``, ``Square``, ``variance``,
  ``mean``, then the ``Squeeze`` ops: 14 ops.
- 1.3-1.15 ("mean_variance"): ``mean``, ``StopGradient``, ``SquaredDifference``,
  ``variance``, the ``Squeeze`` ops: TensorFlow 2.21's own ``nn.moments``.
"""

import numpy as np

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.ops import gen_array_ops, gen_math_ops

from tf1repro.runtime import releases


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    """``tf.nn.moments(x, axes, shift=None, name=None, keep_dims=False)`` of the release."""
    keep = bool(keep_dims if keepdims is None else keepdims)
    rule = releases.fact("moments")
    if rule == "mean_variance":
        return v1.nn.moments(x, axes, name=name, keep_dims=keep)
    with tf.name_scope(name or "moments"):
        x = tf.convert_to_tensor(x)
        y = tf.cast(x, tf.float32) if x.dtype == tf.float16 else x
        if shift is None:
            shift = tf.stop_gradient(v1.reduce_mean(y, axes, keepdims=True))
        else:
            shift = tf.cast(shift, y.dtype)
        if rule == "sufficient":
            mean, variance = _sufficient(y, axes, shift, keep)
        else:
            mean, variance = _shifted(y, axes, shift, keep)
        if x.dtype == tf.float16:
            return tf.cast(mean, tf.float16), tf.cast(variance, tf.float16)
        return mean, variance


def _shifted(y, axes, shift, keep):
    """1.2.1: the shifted mean and variance, then squeezed unless ``keep``.

    TF 1.2's unique_name was case-sensitive, so its last Add was ``moments/mean``
    next to ``moments/Mean``; TF 2.21's is not and calls it ``moments/mean_2``
    (``mean`` and ``mean_1`` being taken): the one name that differs from 1.2."""
    shifted_mean = v1.reduce_mean(tf.subtract(y, shift), axes, keepdims=True,
                                  name="shifted_mean")
    variance = tf.subtract(v1.reduce_mean(tf.math.squared_difference(y, shift), axes,
                                          keepdims=True),
                           tf.square(shifted_mean), name="variance")
    mean = tf.add(shifted_mean, shift, name="mean")
    if not keep:
        mean = tf.squeeze(mean, axes)
        variance = tf.squeeze(variance, axes)
    return mean, variance


def _sufficient(y, axes, shift, keep):
    """1.0.1/1.1.0: ``sufficient_statistics`` then ``normalize_moments``, both with
    ``name=None`` (their own scopes inside ``moments``)."""
    with tf.name_scope("sufficient_statistics"):
        dims = [tf.compat.dimension_value(y.shape[d]) for d in axes]
        if all(d is not None for d in dims):
            counts = tf.constant(float(np.prod(dims)), dtype=y.dtype)
        else:  # a reduced dimension known only at run time
            x_dims = gen_array_ops.gather(tf.cast(v1.shape(y), y.dtype), axes)
            rank_1 = tf.constant(np.arange(1), dtype=tf.int32)  # 1.0's _ReductionDims
            counts = gen_math_ops.prod(x_dims, rank_1, keep_dims=False, name="count")
        m_ss = gen_math_ops.sub(y, shift)
        v_ss = gen_math_ops.squared_difference(y, shift)
        m_ss = gen_math_ops._sum(m_ss, axes, keep_dims=keep, name="mean_ss")
        v_ss = gen_math_ops._sum(v_ss, axes, keep_dims=keep, name="var_ss")
    shift = tf.reshape(shift, v1.shape(m_ss))
    shift.set_shape(m_ss.shape)
    with tf.control_dependencies([counts, m_ss, v_ss]), tf.name_scope("normalize"):
        divisor = gen_math_ops.reciprocal(counts, name="divisor")
        shifted_mean = gen_math_ops.mul(m_ss, divisor, name="shifted_mean")
        mean = gen_math_ops.add(shifted_mean, shift, name="mean")
        variance = gen_math_ops.sub(gen_math_ops.mul(v_ss, divisor),
                                    gen_math_ops.square(shifted_mean), name="variance")
    return mean, variance
