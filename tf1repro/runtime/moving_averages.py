"""The moving-average updates of TF 1.x's batch normalization layers.

    update = assign_moving_average(moving_mean, batch_mean, 0.9)   # AssignMovingAvg/...

``assign_moving_average`` is ``training/moving_averages.py``'s (every release) and
the layers' own from 1.8 (the same ops); ``read_sub_mul`` is the fused path's
``BatchNormalization._assign_moving_average`` of 1.4-1.7
(``python/layers/normalization.py``), which took ``1 - momentum`` and read the
variable first.
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.ops import gen_math_ops


def assign_moving_average(variable, value, momentum):
    """``moving_averages.assign_moving_average(variable, value, momentum, zero_debias=False)``
    of TF 1.x (1.0-1.15 alike; the layer's own from 1.8, the same ops):
    ``v <- v - (v - value) * (1 - momentum)``.

    In ``AssignMovingAvg[_k]/``: ``decay`` (a Const when ``momentum`` is a
    number; ``sub/x``, ``sub`` when it is a tensor), ``sub[_1]``, ``mul``; the
    AssignSub op takes the scope's own name, ``.../AssignMovingAvg``."""
    with v1.name_scope(None, "AssignMovingAvg", [variable, value, momentum]) as scope:
        with tf.compat.v1.colocate_with(variable):
            decay = tf.convert_to_tensor(1.0 - momentum, name="decay")
            base = variable.dtype.base_dtype
            if decay.dtype != base:
                decay = tf.cast(decay, base)
            update_delta = (variable - value) * decay
            return v1.assign_sub(variable, update_delta, name=scope)


def read_sub_mul(variable, value, one_minus_decay):
    """1.4-1.7's ``BatchNormalization._assign_moving_average`` (the fused path): in
    ``AssignMovingAvg[_k]/``, ``read`` (the variable's ``read_value``), ``Sub``, ``Mul``,
    and the AssignSub named after the scope."""
    with v1.name_scope(None, "AssignMovingAvg", [variable, value, one_minus_decay]) as scope:
        with tf.compat.v1.colocate_with(variable):
            current = tf.identity(variable, name="read")
            delta = gen_math_ops.mul(gen_math_ops.sub(current, value), one_minus_decay)
            return v1.assign_sub(variable, delta, name=scope)
