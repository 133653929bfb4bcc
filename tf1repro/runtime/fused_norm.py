"""The fused path of TF 1.x's ``tf.layers.batch_normalization`` (4-D inputs, channels
at 1 or 3), op for op as the chosen release built it.

    outputs, updates = fused_batch_norm(release, x, 3, training, 0.9, 1e-3, beta, gamma,
                                        moving_mean, moving_variance)

A ``cond`` over two ``nn.fused_batch_norm`` (training: batch statistics; else the
moving ones), op ``FusedBatchNorm`` up to 1.14 and ``FusedBatchNormV3`` in 1.15
(fact ``bn_fused_op``), then the decay and two unconditional updates as fact
``bn_fused_decay`` says (each release's ``python/layers/normalization.py``, from
1.9 ``python/keras/layers/normalization.py``, ``_fused_batch_norm``).  In
training the kernel normalises with the biased batch variance and returns the
unbiased one, which every release fed to the moving average unchanged.
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.ops import gen_nn_ops

from tf1repro.runtime.moving_averages import assign_moving_average, read_sub_mul
from tf1repro.runtime.tf1_cond import smart_cond, smart_select, static_bool


def fused_kernel(release, inputs, scale, offset, epsilon, data_format, mean=None,
                  variance=None, is_training=True):
    """``nn.fused_batch_norm`` of the release (fact ``bn_fused_op``): op FusedBatchNorm
    up to 1.14 (float32; nn_impl.py calls gen_nn_ops._fused_batch_norm; 1.14's
    forward_compatible(2019, 11, 10) did not hold yet), and FusedBatchNormV3 in 1.15
    (forward_compatible(2019, 6, 6) held).  Both kernels exist in TF 2.21, so the
    release's op type is made."""
    if release.fact("bn_fused_op") == "FusedBatchNormV3" or inputs.dtype != tf.float32:
        # 1.15, and half precision (1.x used V2 there; V3 here: the one
        # difference of op type left, off the float32 path tested).
        return v1.nn.fused_batch_norm(inputs, scale, offset, mean=mean, variance=variance,
                                      epsilon=epsilon, is_training=is_training,
                                      data_format=data_format)
    if mean is None:
        mean = tf.constant([])
    if variance is None:
        variance = tf.constant([])
    epsilon = max(epsilon, 1.001e-5)  # cuDNN's minimum, as 1.x clamped it
    y, batch_mean, batch_var, _, _ = gen_nn_ops._fused_batch_norm(
        inputs, scale, offset, mean, variance, epsilon=epsilon, data_format=data_format,
        is_training=is_training)
    return y, batch_mean, batch_var


def fused_batch_norm(release, inputs, axis, training, momentum, epsilon, beta, gamma,
                      moving_mean, moving_variance):
    """The fused path (4-D); returns (outputs, updates for UPDATE_OPS)."""
    data_format = "NHWC" if axis == 3 else "NCHW"
    channels = [int(inputs.shape[axis])]
    offset = beta if beta is not None else tf.zeros(channels, moving_mean.dtype)
    factor = gamma if gamma is not None else tf.ones(channels, moving_mean.dtype)

    def train():
        return fused_kernel(release, inputs, factor, offset, epsilon, data_format)

    def infer():
        return fused_kernel(release, inputs, factor, offset, epsilon, data_format,
                             mean=moving_mean, variance=moving_variance, is_training=False)

    # In training the kernel normalises with the biased variance but returns
    # the unbiased one, which TF 1.x fed to the moving average unchanged.
    outputs, mean, variance = smart_cond(training, train, infer)
    static = static_bool(training)
    if static is False:
        return outputs, []
    rule = release.fact("bn_fused_decay")
    if rule == "select_momentum":  # 1.3
        decay = smart_select(training, lambda: momentum, lambda: 1.)
    elif rule in ("select_one_minus", "cond_one_minus"):  # 1.4-1.7: the layer's update
        if static is None:
            choose = smart_select if rule == "select_one_minus" else smart_cond
            one_minus = choose(training, lambda: 1.0 - momentum, lambda: 0.)
        else:
            one_minus = tf.convert_to_tensor(1.0 - momentum)
        return outputs, [read_sub_mul(moving_mean, mean, one_minus),
                         read_sub_mul(moving_variance, variance, one_minus)]
    elif static is None:
        decay = smart_cond(training, lambda: momentum, lambda: 1.0)  # cond_1
    else:
        decay = tf.convert_to_tensor(momentum)  # 1.8+ with training=True: Const
    updates = [assign_moving_average(moving_mean, mean, decay),
               assign_moving_average(moving_variance, variance, decay)]
    return outputs, updates
