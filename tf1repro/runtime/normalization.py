"""``tf.layers.batch_normalization`` of TF 1.x: the plain path and the fused 4-D one.

    z = batch_normalization(h, training=training, momentum=0.9)   # [batch, units]

``tf.contrib.layers.batch_norm`` builds the same layer (``contrib_layers``).
"""

from tf1repro.runtime.base import _smart_cond, _static_bool, _unsupported, _layer_scope, _variable
from tf1repro.tfcompat import tf, v1


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
