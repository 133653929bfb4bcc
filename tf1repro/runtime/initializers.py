"""``tf.contrib.layers``' initializers and regularizers, as TF 1.x computed them.

    he_init = variance_scaling_initializer()          # truncated normal, stddev sqrt(1.3 * 2 / fan_in)
    reg = l2_regularizer(0.01)                       # 0.01 * sum(w ** 2) / 2
"""

import math

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.ops import init_ops as _init_ops

from tf1repro.runtime import releases


class VarianceScaling:
    """``tf.contrib.layers.variance_scaling_initializer`` (He et al. 2015).

    Contrib's normal case draws a truncated normal (cut at two standard
    deviations) with ``stddev = sqrt(1.3 * factor / n)``; the 1.3 makes up
    for the truncation, roughly.  The core ``variance_scaling_initializer``
    divides by 0.8796... instead, so it is close to this but not the same.
    The uniform case draws from ``[-limit, limit]``, ``limit = sqrt(3 * factor / n)``.
    """

    def __init__(self, factor=2.0, mode="FAN_IN", uniform=False, seed=None, dtype=tf.float32):
        if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
            raise TypeError(f"Unknown mode {mode!r} [FAN_IN, FAN_OUT, FAN_AVG]")
        if not tf.as_dtype(dtype).is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        self.factor, self.mode, self.uniform, self.seed = factor, mode, uniform, seed
        self.dtype = tf.as_dtype(dtype)

    def scale_for(self, shape):
        """The stddev (normal) or limit (uniform) for a variable of ``shape``."""
        shape = [int(d) for d in shape]
        fan_in = float(shape[-2]) if len(shape) > 1 else float(shape[-1])
        fan_out = float(shape[-1])
        for dim in shape[:-2]:  # convolution kernels: the receptive field counts
            fan_in *= dim
            fan_out *= dim
        n = {"FAN_IN": fan_in, "FAN_OUT": fan_out, "FAN_AVG": (fan_in + fan_out) / 2.0}[self.mode]
        # the uniform limit sqrt(3 * factor / n); the truncated normal's stddev uses 1.3,
        # every release's contrib/layers/python/layers/initializers.py
        normal_factor = releases.fact("contrib_vs_factor")
        return math.sqrt((3.0 if self.uniform else normal_factor) * self.factor / n)

    def __call__(self, shape, dtype=None, partition_info=None):
        if not dtype:
            dtype = self.dtype
        if not tf.as_dtype(dtype).is_floating:
            raise TypeError("Cannot create initializer for non-floating point type.")
        scale = self.scale_for(shape)
        if self.uniform:
            return v1.random_uniform(shape, -scale, scale, dtype, seed=self.seed)
        return v1.truncated_normal(shape, 0.0, scale, dtype, seed=self.seed)

    def __repr__(self):
        return (f"VarianceScaling(factor={self.factor}, mode={self.mode!r}, "
                f"uniform={self.uniform}, seed={self.seed})")


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None,
                                 dtype=tf.float32):
    """``tf.contrib.layers.variance_scaling_initializer``: see ``VarianceScaling``."""
    return VarianceScaling(factor, mode, uniform, seed, dtype)


def xavier_initializer(uniform=True, seed=None, dtype=tf.float32):
    """``tf.contrib.layers.xavier_initializer``: contrib's variance scaling, factor 1, FAN_AVG."""
    return VarianceScaling(1.0, "FAN_AVG", uniform, seed, dtype)


def _regularizer(kind, scale, penalty):
    if isinstance(scale, (int, float)) and not isinstance(scale, bool):
        if scale < 0.0:
            raise ValueError(f"Setting a scale less than 0 on a regularizer: {scale}")
        if scale == 0.0:
            return lambda weights: None  # TF 1.x: no loss at all
    elif not isinstance(scale, (int, float)):
        raise ValueError(f"scale cannot be an integer: {scale}" if isinstance(scale, bool)
                         else f"scale must be a number, not {scale!r}")

    def regularize(weights, name=None):
        with tf.name_scope(name or f"{kind}_regularizer"):
            factor = tf.convert_to_tensor(scale, dtype=weights.dtype.base_dtype, name="scale")
            return tf.multiply(factor, penalty(weights), name=name or f"{kind}_regularizer")
    return regularize


def l1_regularizer(scale, scope=None):
    """``tf.contrib.layers.l1_regularizer``: ``scale * sum(|w|)``."""
    return _regularizer("l1", scale, lambda w: tf.reduce_sum(tf.abs(w)))


def l2_regularizer(scale, scope=None):
    """``tf.contrib.layers.l2_regularizer``: ``scale * sum(w**2) / 2`` (``tf.nn.l2_loss``)."""
    return _regularizer("l2", scale, tf.nn.l2_loss)


class CoreVarianceScaling(_init_ops.VarianceScaling):
    """Core ``tf.variance_scaling_initializer`` of the chosen release.

    "normal" draws a truncated normal with ``stddev = sqrt(scale / n)`` up to 1.9
    (fact ``vs_normal`` "sqrt"; ``python/ops/init_ops.py`` of 1.0.1 to 1.9.0), and
    ``sqrt(scale / n) / .8796...`` (the truncation's std) from 1.10, where "normal" is
    an alias of the new default "truncated_normal" (1.10.1 to 1.15.5).  Releases before
    1.10 know only "normal" and "uniform".
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution=None, seed=None,
                 dtype=tf.float32):
        old = releases.fact("vs_normal") == "sqrt"
        if distribution is None:
            distribution = "normal" if old else "truncated_normal"
        if old:
            if scale <= 0.:
                raise ValueError("`scale` must be positive float.")
            if mode not in {"fan_in", "fan_out", "fan_avg"}:
                raise ValueError("Invalid `mode` argument:", mode)
            if distribution.lower() not in {"normal", "uniform"}:
                raise ValueError("Invalid `distribution` argument:", distribution)
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         dtype=dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        if self.distribution != "normal" or releases.fact("vs_normal") == "corrected":
            return super().__call__(shape, dtype, partition_info)
        dtype = self.dtype if dtype is None else dtype
        fan_in, fan_out = _init_ops._compute_fans(
            shape if partition_info is None else partition_info.full_shape)
        n = {"fan_in": max(1., fan_in), "fan_out": max(1., fan_out),
             "fan_avg": max(1., (fan_in + fan_out) / 2.)}[self.mode]
        return v1.truncated_normal(shape, 0.0, math.sqrt(self.scale / n), dtype, seed=self.seed)


core_variance_scaling_initializer = CoreVarianceScaling


def glorot_normal_initializer(seed=None, dtype=tf.float32):
    """``tf.glorot_normal_initializer``: variance scaling, scale 1, "fan_avg", "normal"
    (1.0-1.10 called it so; 1.11+ "truncated_normal", the same draw), so its stddev
    follows ``vs_normal`` like the core initializer's (``python/ops/init_ops.py``)."""
    return CoreVarianceScaling(1.0, "fan_avg", "normal", seed, dtype)
