"""``tf.layers.conv2d``, ``max_pooling2d`` and ``average_pooling2d`` of TF 1.x (2-D).

    c = conv2d(images, 32, 3, padding="same", activation=tf.nn.relu)   # [batch, h, w, 32]
    p = max_pooling2d(c, 2, 2)
"""

import operator

from tf1repro.runtime import releases
from tf1repro.runtime.base import _activity_regularization, _layer_scope, _variable
from tf1repro.tfcompat import tf, v1


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


def _convolve(inputs, kernel, strides, padding, dilation_rate, fmt):
    """The layer's convolution op: ``nn.convolution`` (op ``<scope>/convolution``) in
    1.0-1.3, ``nn_ops.Convolution`` calling ``gen_nn_ops.conv2d`` without a name (op
    ``<scope>/Conv2D``) in 1.4+ (each release's ``python/layers/convolutional.py``)."""
    if releases.fact("conv_op") == "Conv2D" and tuple(dilation_rate) == (1, 1):
        strides4 = [1, *strides, 1] if fmt == "NHWC" else [1, 1, *strides]
        return v1.nn.conv2d(inputs, kernel, strides4, padding, data_format=fmt)
    return tf.nn.convolution(inputs, kernel, strides=strides, padding=padding,
                             dilations=dilation_rate, data_format=fmt)


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
        outputs = _convolve(inputs, kernel, strides, padding, dilation_rate, fmt)
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
