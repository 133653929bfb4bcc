"""``TensorArray.size()`` as every TF 1.x release built it: a ``TensorArraySizeV3`` op.

    install()          # tf1repro.tf1 does this on import

TensorFlow 2.21 returns the array's size tensor itself when the array has a fixed size,
so ``ta.stack()`` (``range(0, ta.size())``) makes one op fewer than TF 1.x did
(``python/ops/tensor_array_ops.py`` ``size``: the op in 1.2.1, 1.8.0, 1.12.3 and 1.15.5).
``dynamic_rnn`` stacks its outputs so, after the cell's kernel: under TF 1.x's op-seed
rule every random op after it (a dense layer on the outputs) drew with a seed one lower.
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf  # noqa: F401

from tensorflow.python.ops import gen_data_flow_ops, tensor_array_ops


def _size(self, name=None):
    """TF 1.x's ``TensorArray.size`` in graph mode: always the op."""
    return gen_data_flow_ops.tensor_array_size_v3(handle=self._handle, flow_in=self.flow,
                                                  name=name)


def install():
    """Graph-mode TensorArrays make TF 1.x's ``size`` op (``tf1repro.tf1`` calls this)."""
    tensor_array_ops._GraphTensorArray.size = _size
