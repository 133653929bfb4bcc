"""The TF 1.x layers of the notebook's era, on ``tf.compat.v1`` primitives.

    h = dense(X, 300, activation=tf.nn.elu, kernel_initializer=variance_scaling_initializer())
    z = batch_normalization(h, training=training, momentum=0.9)
    d = dropout(z, rate=0.5, training=training)

``tf.compat.v1.layers`` is gone under Keras 3, and the ``tf-keras`` version
creates ``gamma`` before ``beta``; these rebuild TF 1.x's ``tf.layers`` and
``tf.contrib.layers`` pieces with their argument lists, defaults, variable
names and creation order, collections and arithmetic, using only core
TensorFlow (``variable_scope``, ``get_variable``, ``tf.nn``).  The package's
own graphs (``tf1repro.graph``) and the ``tf1repro.tf1`` facade both use
them: there is one implementation of each.

Arguments that TF 1.x accepted but that are not implemented here
(``renorm=True``, ``virtual_batch_size``, ``adjustment``) raise
``Unsupported`` naming the argument; they are never silently ignored.
"""

import math
import operator

import numpy as np

from tf1repro.tfcompat import tf, v1


class Unsupported(NotImplementedError):
    """A TF 1.x argument or attribute that ``tf1repro`` does not implement."""


def _unsupported(function, argument, value):
    return Unsupported(f"{function}({argument}={value!r}): {argument} is not supported by "
                       "tf1repro (TF 1.x accepted it; this reproduction does not implement it)")


# --- initializers and regularizers (tf.contrib.layers) ------------------------------

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
        return math.sqrt((3.0 if self.uniform else 1.3) * self.factor / n)

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


# --- helpers shared by the layers ---------------------------------------------------

def _static_bool(value):
    """True/False when ``value`` is known while building the graph, else None (a tensor)."""
    if isinstance(value, (bool, int, float, np.bool_, np.number)):
        return bool(value)
    static = tf.get_static_value(value)
    return None if static is None else bool(static)


def _smart_cond(pred, true_fn, false_fn):
    """TF 1.x's ``smart_cond``: a Python branch when ``pred`` is known, ``tf.cond`` otherwise."""
    static = _static_bool(pred)
    if static is None:
        return tf.cond(pred, true_fn, false_fn)
    return true_fn() if static else false_fn()


def _variable(name, shape, dtype, initializer, regularizer=None, constraint=None,
              trainable=True):
    """``get_variable`` as a TF 1.x layer called it: a regularizer's loss goes to
    ``REGULARIZATION_LOSSES``, created right after its variable."""
    known = len(v1.global_variables())
    var = v1.get_variable(name, shape, dtype, initializer, trainable=trainable,
                          constraint=constraint)
    # As get_variable did, regularize only a variable made now, not a reused one.
    if regularizer is not None and len(v1.global_variables()) > known:
        with tf.name_scope(f"{name}/Regularizer"):
            loss = regularizer(var)
        if loss is not None:
            v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


def _activity_regularization(outputs, regularizer):
    if regularizer is not None:
        with tf.name_scope("ActivityRegularizer"):
            loss = regularizer(outputs)
        if loss is not None:
            v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)


def _layer_scope(name, default_name, reuse):
    # A layer's variables and ops live under one variable scope: its name, or
    # the default made unique (dense, dense_1, ...) as TF 1.x's layers did.
    if reuse:
        return v1.variable_scope(name or default_name, reuse=True)
    return v1.variable_scope(name, default_name=default_name)


# --- tf.layers ------------------------------------------------------------------------

def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=v1.zeros_initializer(), kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """``tf.layers.dense``: ``activation(inputs @ kernel + bias)``.

    Variables ``<name>/kernel`` [in, units] (``get_variable``'s default
    initializer, glorot uniform, unless told otherwise) and ``<name>/bias``
    [units] (zeros).  Inputs of rank above 2 are multiplied along their last
    axis, as TF 1.x did.
    """
    inputs = tf.convert_to_tensor(inputs)
    n_in = inputs.shape[-1]
    if n_in is None:
        raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                         "Found `None`.")
    units = int(units)
    dtype = inputs.dtype.base_dtype
    with _layer_scope(name, "dense", reuse):
        kernel = _variable("kernel", [int(n_in), units], dtype, kernel_initializer,
                           kernel_regularizer, kernel_constraint, trainable)
        bias = (_variable("bias", [units], dtype, bias_initializer, bias_regularizer,
                          bias_constraint, trainable) if use_bias else None)
        rank = inputs.shape.rank
        if rank is not None and rank > 2:
            outputs = tf.tensordot(inputs, kernel, [[rank - 1], [0]])  # [..., units]
            outputs.set_shape(inputs.shape[:-1].concatenate([units]))
        else:
            outputs = tf.matmul(inputs, kernel)  # [batch, units]
        if bias is not None:
            outputs = tf.nn.bias_add(outputs, bias)
        if activation is not None:
            outputs = activation(outputs)
    _activity_regularization(outputs, activity_regularizer)
    return outputs


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=v1.zeros_initializer(),
                        gamma_initializer=v1.ones_initializer(),
                        moving_mean_initializer=v1.zeros_initializer(),
                        moving_variance_initializer=v1.ones_initializer(),
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None):
    """``tf.layers.batch_normalization``, TF 1.x's semantics.

    ``training`` is a Python bool or a boolean tensor (a placeholder).  While
    it is true the layer normalises with the batch mean and biased batch
    variance over every axis but ``axis``, and gradients flow through both;
    otherwise it uses the moving statistics.  The moving-average updates,
    ``v <- v - (v - batch_stat) * (1 - momentum)``, are ops added to
    ``UPDATE_OPS`` that change nothing unless ``training`` is true (none are
    made when it is a Python False).  Variables, in the notebook's order:
    beta, gamma (trainable, unless ``center``/``scale`` is off), moving_mean,
    moving_variance (global, not trainable), in a fresh scope
    ``batch_normalization``, ``batch_normalization_1``, ...

    On 4-D inputs with the channel axis last or first, TF 1.x chose its fused
    kernel (``fused=None``): the same normalisation, but the moving variance
    is updated with the *unbiased* batch variance (Bessel's correction,
    n/(n-1)).  That is followed here; ``fused=False`` gives the plain path.
    """
    return _batch_normalization("batch_normalization", **locals())


def _batch_normalization(default_name, inputs, axis, momentum, epsilon, center, scale,
                         beta_initializer, gamma_initializer, moving_mean_initializer,
                         moving_variance_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint, training, trainable, name, reuse,
                         renorm, renorm_clipping, renorm_momentum, fused, virtual_batch_size,
                         adjustment):
    # The layer in a scope named ``name`` or a fresh ``default_name``:
    # tf.contrib.layers.batch_norm builds this same layer as "BatchNorm".
    function = "tf.layers.batch_normalization"
    if renorm:
        raise _unsupported(function, "renorm", renorm)
    if virtual_batch_size is not None:
        raise _unsupported(function, "virtual_batch_size", virtual_batch_size)
    if adjustment is not None:
        raise _unsupported(function, "adjustment", adjustment)
    inputs = tf.convert_to_tensor(inputs)
    ndims = inputs.shape.rank
    if not ndims:
        raise ValueError(f"Input has undefined rank: {inputs.shape}")
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    axes = [a + ndims if a < 0 else a for a in axes]
    if any(not 0 <= a < ndims for a in axes):
        raise ValueError(f"Invalid axis: {axis}")
    if len(set(axes)) != len(axes):
        raise ValueError(f"Duplicate axis: {axes}")
    # TF 1.x: fused=None meant "fused where it can be": 4-D, channels at 1 or 3.
    fused = fused is not False and ndims == 4 and axes in ([1], [3])
    dims = [inputs.shape[a] for a in axes]
    if any(d is None for d in dims):
        raise ValueError(f"Input has undefined `axis` dimension. Input shape: {inputs.shape}")
    if len(axes) == 1:
        params_shape = [int(dims[0])]
    else:
        params_shape = [int(inputs.shape[i]) if i in axes else 1 for i in range(ndims)]
    dtype = inputs.dtype.base_dtype
    param_dtype = tf.float32 if dtype in (tf.float16, tf.bfloat16) else dtype

    with _layer_scope(name, default_name, reuse):
        # beta before gamma: the order of the notebook's In [22] (tf-keras reversed it).
        beta = (_variable("beta", params_shape, param_dtype, beta_initializer,
                          beta_regularizer, beta_constraint, trainable) if center else None)
        gamma = (_variable("gamma", params_shape, param_dtype, gamma_initializer,
                           gamma_regularizer, gamma_constraint, trainable) if scale else None)
        moving_mean = _variable("moving_mean", params_shape, param_dtype,
                                moving_mean_initializer, trainable=False)
        moving_variance = _variable("moving_variance", params_shape, param_dtype,
                                    moving_variance_initializer, trainable=False)
        if fused:
            return _fused_batch_norm(inputs, axes[0], training, momentum, epsilon, beta, gamma,
                                     moving_mean, moving_variance)
        return _batch_norm(inputs, axes, training, momentum, epsilon, beta, gamma,
                           moving_mean, moving_variance)


def _assign_moving_average(variable, value, decay):
    # TF 1.x: v <- v - (v - value) * (1 - momentum); no debiasing.
    with tf.name_scope("AssignMovingAvg"):
        return variable.assign_sub((variable - value) * decay, read_value=True)


def _add_updates(training, momentum, pairs):
    """The moving-average updates, run only when fetched: into ``UPDATE_OPS``."""
    if _static_bool(training) is False:
        return
    for variable, value in pairs:
        update = _smart_cond(
            training,
            lambda v=variable, x=value: _assign_moving_average(v, x, 1.0 - momentum),
            lambda v=variable: tf.identity(v))
        v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, update)


def _batch_norm(inputs, axes, training, momentum, epsilon, beta, gamma, moving_mean,
                moving_variance):
    ndims = inputs.shape.rank
    reduction_axes = [i for i in range(ndims) if i not in axes]
    if len(axes) == 1 and axes[0] != ndims - 1:
        # One channel axis that is not the last: parameters broadcast along it.
        shape = [1] * ndims
        shape[axes[0]] = int(inputs.shape[axes[0]])
        broadcast = lambda v: None if v is None else tf.reshape(v, shape)
    else:
        broadcast = lambda v: v
    if _static_bool(training) is False:
        mean, variance = moving_mean, moving_variance
    else:
        batch_mean, batch_variance = tf.nn.moments(inputs, reduction_axes,
                                                   keepdims=len(axes) > 1)  # [params] each
        mean, variance = _smart_cond(
            training, lambda: (batch_mean, batch_variance),
            lambda: (tf.identity(moving_mean), tf.identity(moving_variance)))
        _add_updates(training, momentum, [(moving_mean, batch_mean),
                                          (moving_variance, batch_variance)])
    outputs = tf.nn.batch_normalization(inputs, broadcast(mean), broadcast(variance),
                                        broadcast(beta), broadcast(gamma), epsilon)
    outputs.set_shape(inputs.shape)
    return outputs


def _fused_batch_norm(inputs, axis, training, momentum, epsilon, beta, gamma, moving_mean,
                      moving_variance):
    data_format = "NHWC" if axis == 3 else "NCHW"
    channels = [int(inputs.shape[axis])]
    offset = beta if beta is not None else tf.zeros(channels, moving_mean.dtype)
    factor = gamma if gamma is not None else tf.ones(channels, moving_mean.dtype)

    def train():
        return v1.nn.fused_batch_norm(inputs, factor, offset, epsilon=epsilon,
                                      data_format=data_format)

    def infer():
        return v1.nn.fused_batch_norm(inputs, factor, offset, mean=moving_mean,
                                      variance=moving_variance, epsilon=epsilon,
                                      is_training=False, data_format=data_format)

    # In training the kernel normalises with the biased variance but returns
    # the unbiased one, which TF 1.x fed to the moving average unchanged.
    outputs, mean, variance = _smart_cond(training, train, infer)
    _add_updates(training, momentum, [(moving_mean, mean), (moving_variance, variance)])
    return outputs


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """``tf.layers.dropout``: drops a fraction ``rate`` (not a keep probability) and
    scales the rest by 1 / (1 - rate), only while ``training`` (default False)."""
    with _layer_scope(name, "dropout", None):
        inputs = tf.convert_to_tensor(inputs)
        return _smart_cond(
            training,
            lambda: v1.nn.dropout(inputs, noise_shape=noise_shape, seed=seed, rate=rate),
            lambda: tf.identity(inputs))


def flatten(inputs, name=None):
    """``tf.layers.flatten``: [batch, ...] to [batch, everything else]."""
    with _layer_scope(name, "flatten", None):
        inputs = tf.convert_to_tensor(inputs)
        rest = inputs.shape[1:].num_elements()
        outputs = tf.reshape(inputs, [tf.shape(inputs)[0], -1 if rest is None else rest])
        outputs.set_shape([inputs.shape[0], rest])
        return outputs


# --- convolution and pooling (tf.layers, 2-D) -------------------------------------------

def _pair(value, what):
    try:
        pair = (operator.index(value),) * 2 if not hasattr(value, "__len__") else \
            tuple(operator.index(v) for v in value)
    except TypeError:
        pair = ()
    if len(pair) != 2:
        raise ValueError(f"The `{what}` argument must be a tuple of 2 integers. Received: {value}")
    return pair


def _formats(padding, data_format):
    if str(padding).lower() not in ("valid", "same"):
        raise ValueError(f"The `padding` argument must be one of 'valid', 'same'. "
                         f"Received: {padding}")
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: {data_format}")
    return str(padding).upper(), "NHWC" if data_format == "channels_last" else "NCHW"


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1), activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=v1.zeros_initializer(),
           kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
           kernel_constraint=None, bias_constraint=None, trainable=True, name=None, reuse=None):
    """``tf.layers.conv2d``: ``<name>/kernel`` [kh, kw, in, filters] (glorot uniform by
    default, as ``get_variable``), ``<name>/bias`` [filters]; scopes ``conv2d``, ``conv2d_1``..."""
    kernel_size, strides = _pair(kernel_size, "kernel_size"), _pair(strides, "strides")
    dilation_rate = _pair(dilation_rate, "dilation_rate")
    padding, fmt = _formats(padding, data_format)
    inputs = tf.convert_to_tensor(inputs)
    channels = inputs.shape[-1 if fmt == "NHWC" else 1]
    if channels is None:
        raise ValueError("The channel dimension of the inputs should be defined. Found `None`.")
    dtype = inputs.dtype.base_dtype
    with _layer_scope(name, "conv2d", reuse):
        kernel = _variable("kernel", list(kernel_size) + [int(channels), int(filters)], dtype,
                           kernel_initializer, kernel_regularizer, kernel_constraint, trainable)
        bias = (_variable("bias", [int(filters)], dtype, bias_initializer, bias_regularizer,
                          bias_constraint, trainable) if use_bias else None)
        outputs = tf.nn.convolution(inputs, kernel, strides=strides, padding=padding,
                                    dilations=dilation_rate, data_format=fmt)
        if bias is not None:
            outputs = tf.nn.bias_add(outputs, bias, data_format=fmt)
        if activation is not None:
            outputs = activation(outputs)
    _activity_regularization(outputs, activity_regularizer)
    return outputs


def _pooling(pool, default_name, inputs, pool_size, strides, padding, data_format, name):
    pool_size, strides = _pair(pool_size, "pool_size"), _pair(strides, "strides")
    padding, fmt = _formats(padding, data_format)
    with _layer_scope(name, default_name, None):
        return pool(tf.convert_to_tensor(inputs), pool_size, strides, padding, data_format=fmt)


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """``tf.layers.max_pooling2d``: the largest value of each window."""
    return _pooling(v1.nn.max_pool, "max_pooling2d", inputs, pool_size, strides, padding,
                    data_format, name)


def average_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                      name=None):
    """``tf.layers.average_pooling2d``: the mean of each window (padding not counted)."""
    return _pooling(v1.nn.avg_pool, "average_pooling2d", inputs, pool_size, strides, padding,
                    data_format, name)
