"""``tf.nn.in_top_k`` as the chosen TF 1.x release built it.

    correct = in_top_k(logits, y, 1)

1.0-1.3 (``gen_nn_ops.in_top_k``, op ``InTopK``, ``k`` an attribute): one op,
named ``InTopK`` (or ``name``).  1.4+ (``nn_ops.in_top_k``:
``name_scope(name, "in_top_k")`` around ``gen_nn_ops.in_top_kv2``, ``k`` an
input): ``in_top_k/InTopKV2/k`` (Const) and ``in_top_k/InTopKV2``, which is what
TensorFlow 2.21's ``tf.compat.v1.nn.in_top_k`` still builds.
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import v1

from tensorflow.python.ops import gen_nn_ops

from tf1repro.runtime import releases


def in_top_k(predictions, targets, k, name=None):
    """``tf.nn.in_top_k(predictions, targets, k)`` (TF 1.x's argument order)."""
    if releases.fact("in_top_k") == "InTopK":
        return gen_nn_ops.in_top_k(predictions, targets, k, name=name)
    return v1.nn.in_top_k(predictions, targets, k, name=name)
