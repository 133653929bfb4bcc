"""The TF 1.x layers the notebook used, on ``tf.compat.v1`` primitives.

    h = dense(X, 300, name="hidden1", kernel_initializer=VarianceScaling(seed=1))
    z = batch_normalization(h, training=training, momentum=0.9)

``tf.compat.v1.layers`` is gone under Keras 3, and the ``tf-keras`` version
creates ``gamma`` before ``beta``; these rebuild the TF 1.x layers with their
variable names, creation order, defaults and arithmetic, using only core
TensorFlow (``variable_scope``, ``get_variable``, ``tf.nn``).
"""

import math

from tf1repro.tfcompat import tf, v1


class VarianceScaling:
    """``tf.contrib.layers.variance_scaling_initializer`` (He et al. 2015).

    Contrib's normal case draws a truncated normal (cut at two standard
    deviations) with ``stddev = sqrt(1.3 * factor / n)``; the 1.3 makes up
    for the truncation, roughly.  The core ``variance_scaling_initializer``
    divides by 0.8796... instead, so it is close to this but not the same.
    """

    def __init__(self, factor=2.0, mode="FAN_IN", uniform=False, seed=None):
        if mode not in ("FAN_IN", "FAN_OUT", "FAN_AVG"):
            raise ValueError(f"mode must be FAN_IN, FAN_OUT or FAN_AVG, not {mode!r}")
        self.factor, self.mode, self.uniform, self.seed = factor, mode, uniform, seed

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

    def __call__(self, shape, dtype=tf.float32, partition_info=None):
        scale = self.scale_for(shape)
        if self.uniform:
            return tf.random.uniform(shape, -scale, scale, dtype, seed=self.seed)
        return v1.truncated_normal(shape, 0.0, scale, dtype, seed=self.seed)

    def __repr__(self):
        return (f"VarianceScaling(factor={self.factor}, mode={self.mode!r}, "
                f"uniform={self.uniform}, seed={self.seed})")


def dense(inputs, units, name=None, kernel_initializer=None, seed=None):
    """``tf.layers.dense`` without activation: ``inputs @ kernel + bias``.

    Variables ``<name>/kernel`` [in, units] (glorot uniform unless told
    otherwise, as ``get_variable`` defaults) and ``<name>/bias`` [units] (zeros).
    """
    n_in = int(inputs.shape[-1])
    if kernel_initializer is None:
        kernel_initializer = v1.glorot_uniform_initializer(seed=seed)
    with v1.variable_scope(name, default_name="dense"):
        kernel = v1.get_variable("kernel", [n_in, units], tf.float32, kernel_initializer)
        bias = v1.get_variable("bias", [units], tf.float32, v1.zeros_initializer())
        return tf.nn.bias_add(tf.matmul(inputs, kernel), bias)  # [batch, units]


def batch_normalization(inputs, training, momentum=0.99, epsilon=1e-3, name=None,
                        updates=None):
    """``tf.layers.batch_normalization`` for 2-D inputs (axis -1, not fused).

    ``training`` is a boolean tensor (or a Python bool).  While it is true the
    layer normalises with the batch mean and biased batch variance and
    gradients flow through both; otherwise it uses the moving statistics.
    The two moving-average updates are ops that run only when fetched, as in
    TF 1.x: they are added to ``UPDATE_OPS`` and change nothing unless
    ``training`` is true.  Variables are created in TF 1.x's order: beta,
    gamma, moving_mean, moving_variance, in a fresh scope named
    ``batch_normalization``, ``batch_normalization_1``, ...

    ``updates``, when given, is a list that receives the two update ops
    instead of ``UPDATE_OPS`` (for a copy of the network that shares the
    variables, such as the in-graph training loop).
    """
    params_shape = [int(inputs.shape[-1])]
    with v1.variable_scope(name, default_name="batch_normalization"):
        beta = v1.get_variable("beta", params_shape, tf.float32, v1.zeros_initializer())
        gamma = v1.get_variable("gamma", params_shape, tf.float32, v1.ones_initializer())
        moving_mean = v1.get_variable(
            "moving_mean", params_shape, tf.float32, v1.zeros_initializer(), trainable=False)
        moving_variance = v1.get_variable(
            "moving_variance", params_shape, tf.float32, v1.ones_initializer(), trainable=False)

        if training is False:
            return tf.nn.batch_normalization(
                inputs, moving_mean, moving_variance, beta, gamma, epsilon)

        batch_mean, batch_variance = tf.nn.moments(inputs, axes=[0])  # [units] each
        if training is True:
            mean, variance = batch_mean, batch_variance
        else:
            mean, variance = tf.cond(
                training,
                lambda: (batch_mean, batch_variance),
                lambda: (tf.identity(moving_mean), tf.identity(moving_variance)))
        outputs = tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)

        decay = 1.0 - momentum

        def assign_moving_average(variable, value):
            # TF 1.x: v <- v - (v - value) * (1 - momentum); no debiasing.
            with tf.name_scope("AssignMovingAvg"):
                return variable.assign_sub((variable - value) * decay, read_value=True)

        def conditional_update(variable, value):
            if training is True:
                return assign_moving_average(variable, value)
            return tf.cond(training,
                           lambda: assign_moving_average(variable, value),
                           lambda: tf.identity(variable))

        new_updates = [conditional_update(moving_mean, batch_mean),
                       conditional_update(moving_variance, batch_variance)]
        if updates is not None:
            updates.extend(new_updates)
        else:
            for update in new_updates:
                v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, update)
        return outputs
