"""TF 1.x's recurrent networks: the cells of ``tf.nn.rnn_cell`` / ``tf.contrib.rnn``
and the functions that unroll them.

    from tf1repro.runtime import rnn
    cell = rnn.MultiRNNCell([rnn.BasicLSTMCell(n) for n in (128, 64)])
    outputs, state = rnn.dynamic_rnn(cell, X, dtype=tf.float32)   # X: [batch, time, depth]

The cells are rebuilt here (``rnn_base``, ``rnn_cells``, ``rnn_wrappers``, and what
changed between releases in ``rnn_ops``); ``dynamic_rnn`` and ``bidirectional_dynamic_rnn``
build each release's loop (``rnn_dynamic``); ``static_rnn`` and
``static_bidirectional_rnn`` are TF 2.21's ``tf.compat.v1.nn`` functions as they
are (op for op 1.2-1.15's; see docs/releases.md), which take any object with ``state_size``, ``output_size``, ``zero_state`` and
``__call__`` (``static_bidirectional_rnn``'s code is TF 1.8-1.15's ``rnn.py`` line for
line, bar its error messages' wording).
"""

from tf1repro.runtime.rnn_base import LSTMStateTuple, RNNCell
from tf1repro.runtime.rnn_dynamic import bidirectional_dynamic_rnn, dynamic_rnn
from tf1repro.runtime.rnn_cells import BasicLSTMCell, BasicRNNCell, GRUCell, LSTMCell
from tf1repro.runtime.rnn_wrappers import DropoutWrapper, MultiRNNCell, OutputProjectionWrapper
from tf1repro.tfcompat import v1

static_rnn = v1.nn.static_rnn
static_bidirectional_rnn = v1.nn.static_bidirectional_rnn

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "OutputProjectionWrapper", "LSTMStateTuple", "dynamic_rnn",
           "static_rnn", "bidirectional_dynamic_rnn", "static_bidirectional_rnn"]
