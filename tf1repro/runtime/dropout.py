"""``tf.nn.dropout`` as the chosen TF 1.x release built it.

    d = nn_dropout(h, 0.5)              # keep_prob (every release); 1.15 also takes rate=

Each release's ``python/ops/nn_ops.py`` (research report "dropout_conv_contrib", section 1):

1.0-1.12 (``keep_prob``), 12 ops::

    dropout/keep_prob, dropout/Shape, dropout/random_uniform/{min, max, RandomUniform, sub, mul},
    dropout/random_uniform (Add), dropout/add, dropout/Floor, dropout/div (RealDiv), dropout/mul

    kept units: floor(keep_prob + u) == 1, scaled by 1 / keep_prob

1.13 (``rate``; ``keep_prob`` turned into ``rate = 1. - keep_prob``; ``dropout_v2``
still the old arithmetic on ``keep_prob = 1 - rate``), 14 ops::

    dropout/rate, dropout/Shape, dropout/sub/x, dropout/sub, the 6 random_uniform ops,
    dropout/add, dropout/Floor, dropout/truediv (RealDiv), dropout/mul

1.14-1.15 (``rate``; ``keep_prob`` still accepted, turned into ``rate = 1. - keep_prob``), 16 ops::

    dropout/rate, dropout/Shape, the 6 random_uniform ops, dropout/sub/x, dropout/sub,
    dropout/truediv/x, dropout/truediv, dropout/GreaterEqual, dropout/mul, dropout/Cast, dropout/mul_1

    kept units: u >= rate, scaled by 1 / (1 - rate)

The random op's seed is taken after ``min`` and ``max`` exist (TF 1.x's rule:
the number of ops so far), so the ops before it decide its mask.  TensorFlow
2.21's dropout builds 8 other ops, which is why this one is spelled out.
"""

import numbers

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.framework import ops, tensor_shape, tensor_util
from tensorflow.python.ops import gen_math_ops

from tf1repro.runtime import releases
from tf1repro.runtime.random import random_uniform


def _noise_shape(x, noise_shape, release):
    if noise_shape is None:
        return v1.shape(x)
    if release.fact("dropout_noise_shape") == "given":  # 1.0-1.6
        return noise_shape
    # 1.7+ ``_get_noise_shape``: unknown dims of a static noise_shape taken from x
    try:
        given = tensor_shape.as_shape(noise_shape)
    except (TypeError, ValueError):
        return noise_shape
    if x.shape.dims is not None and given.dims is not None and len(x.shape) == len(given):
        return tensor_shape.TensorShape([
            dim if noise is None and dim is not None else noise
            for dim, noise in zip(x.shape.as_list(), given.as_list())])
    return noise_shape


def _keep_prob_dropout(x, keep_prob, noise_shape, seed, name, release):
    """1.0-1.12's ``nn.dropout`` (1.4+ also refuses a non-float ``x``)."""
    with ops.name_scope(name, "dropout", [x]) as name:
        x = ops.convert_to_tensor(x, name="x")
        if release.fact("dropout_float_only") and not x.dtype.is_floating:
            raise ValueError("x has to be a floating point tensor since it's going to"
                             " be scaled. Got a %s tensor instead." % x.dtype)
        if isinstance(keep_prob, numbers.Real) and not 0 < keep_prob <= 1:
            raise ValueError("keep_prob must be a scalar tensor or a float in the "
                             "range (0, 1], got %g" % keep_prob)
        keep_prob = ops.convert_to_tensor(keep_prob, dtype=x.dtype, name="keep_prob")
        keep_prob.get_shape().assert_is_compatible_with(tensor_shape.TensorShape([]))
        if tensor_util.constant_value(keep_prob) == 1:
            return x
        noise_shape = _noise_shape(x, noise_shape, release)
        # uniform [keep_prob, 1.0 + keep_prob): 1.0 and above is kept
        random_tensor = gen_math_ops.add(
            keep_prob, random_uniform(noise_shape, seed=seed, dtype=x.dtype), name="add")
        binary_tensor = v1.floor(random_tensor)
        ret = v1.div(x, keep_prob) * binary_tensor
        ret.set_shape(x.get_shape())
        return ret


def _rate_dropout(x, rate, noise_shape, seed, name, release):
    """1.13-1.15's ``dropout_v2`` (1.13: ``_rate_floor`` after the noise shape)."""
    with ops.name_scope(name, "dropout", [x]) as name:
        x = ops.convert_to_tensor(x, name="x")
        if not x.dtype.is_floating:
            raise ValueError("x has to be a floating point tensor since it's going to"
                             " be scaled. Got a %s tensor instead." % x.dtype)
        if isinstance(rate, numbers.Real):
            if not (rate >= 0 and rate < 1):
                raise ValueError("rate must be a scalar tensor or a float in the "
                                 "range [0, 1), got %g" % rate)
            if rate == 0:
                return x
        rate = ops.convert_to_tensor(rate, dtype=x.dtype, name="rate")
        rate.get_shape().assert_has_rank(0)
        if tensor_util.constant_value(rate) == 0:
            return x
        noise_shape = _noise_shape(x, noise_shape, release)
        if release.fact("dropout") == "rate_floor":
            return _rate_floor(x, rate, noise_shape, seed)
        random_tensor = random_uniform(noise_shape, seed=seed, dtype=x.dtype)
        keep_prob = 1 - rate
        scale = 1 / keep_prob
        keep_mask = random_tensor >= rate
        ret = x * scale * v1.cast(keep_mask, x.dtype)
        ret.set_shape(x.get_shape())
        return ret


def _rate_floor(x, rate, noise_shape, seed):
    """1.13.2's ``dropout_v2`` after its checks: ``keep_prob = 1 - rate`` (``sub/x``,
    ``sub``), then 1.12's uniform + keep_prob, Floor, divide, multiply."""
    keep_prob = 1 - rate
    random_tensor = gen_math_ops.add(
        keep_prob, random_uniform(noise_shape, seed=seed, dtype=x.dtype), name="add")
    binary_tensor = v1.floor(random_tensor)
    ret = tf.math.divide(x, keep_prob) * binary_tensor  # x / y: truediv, as 1.13's divide
    ret.set_shape(x.get_shape())
    return ret


def nn_dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """``tf.nn.dropout`` of the release chosen by ``$TF1REPRO_TF1_RELEASE``.

    Releases before 1.13 take only ``keep_prob`` (``rate=`` is a TypeError, as it
    was); 1.13-1.15 take either, not both."""
    release = releases.current()
    if tf.executing_eagerly():
        raise RuntimeError("tf1repro's tf.nn.dropout builds TF 1.x graphs; eager "
                           "execution is off under tf1repro.tf1")
    if release.fact("dropout") == "keep_prob":
        if rate is not None:
            raise TypeError("dropout() got an unexpected keyword argument 'rate' "
                            f"(TF {release.name}'s tf.nn.dropout takes keep_prob; "
                            "rate= arrived in 1.13)")
        if keep_prob is None:
            raise TypeError("dropout() missing 1 required positional argument: 'keep_prob'")
        return _keep_prob_dropout(x, keep_prob, noise_shape, seed, name, release)
    try:
        keep = 1. - keep_prob if keep_prob is not None else None
    except TypeError:
        raise ValueError("keep_prob must be a floating point number or Tensor "
                         "(got %r)" % (keep_prob,)) from None
    if rate is not None and keep is not None:
        raise ValueError("Cannot specify both 'keep_prob' and 'rate'")
    rate = rate if rate is not None else keep
    if rate is None:
        raise ValueError("You must provide a rate to dropout.")
    return _rate_dropout(x, rate, noise_shape, seed, name, release)
