"""TF 1.x's recurrent networks: the cells of ``tf.nn.rnn_cell`` / ``tf.contrib.rnn``
and the functions that unroll them.

    from tf1repro.runtime import rnn
    cell = rnn.MultiRNNCell([rnn.BasicLSTMCell(n) for n in (128, 64)])
    outputs, state = rnn.dynamic_rnn(cell, X, dtype=tf.float32)   # X: [batch, time, depth]

The cells are rebuilt here (``rnn_base``, ``rnn_cells``, ``rnn_wrappers``: TF 1.15's
names and arithmetic); ``dynamic_rnn``, ``static_rnn``, ``bidirectional_dynamic_rnn``
and ``static_bidirectional_rnn`` are TF 2.21's ``tf.compat.v1.nn`` functions as they
are, which take any object with ``state_size``, ``output_size``, ``zero_state`` and
``__call__`` (``static_bidirectional_rnn``'s code is TF 1.8-1.15's ``rnn.py`` line for
line, bar its error messages' wording).
"""

from tf1repro.runtime.rnn_base import LSTMStateTuple, RNNCell
from tf1repro.runtime.rnn_cells import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell
from tf1repro.runtime.rnn_wrappers import DropoutWrapper, MultiRNNCell, OutputProjectionWrapper
from tf1repro.tfcompat import v1

dynamic_rnn = v1.nn.dynamic_rnn
static_rnn = v1.nn.static_rnn
bidirectional_dynamic_rnn = v1.nn.bidirectional_dynamic_rnn
static_bidirectional_rnn = v1.nn.static_bidirectional_rnn

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "OutputProjectionWrapper", "LSTMStateTuple", "dynamic_rnn",
           "static_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn"]
