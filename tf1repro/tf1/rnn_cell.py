"""``tf.nn.rnn_cell`` of TF 1.x: ``RNNCell``, ``BasicRNNCell``, ``BasicLSTMCell``,
``LSTMCell``, ``GRUCell``, ``MultiRNNCell``, ``DropoutWrapper``, ``LSTMStateTuple``.

    cell = tf.nn.rnn_cell.BasicLSTMCell(128)
    outputs, state = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)

TF 1.15's argument lists, variable names and arithmetic, and the ops of the chosen
release (zero state, when variables are made: ``tf1repro.runtime.rnn``, docs/releases.md).  Any other name (``ResidualWrapper``,
``DeviceWrapper``, ...) raises ``Unsupported`` saying so and naming these.
``OutputProjectionWrapper`` was ``tf.contrib.rnn``'s in TF 1.x, and is there.
"""

from tf1repro.runtime.rnn import (BasicLSTMCell, BasicRNNCell, DropoutWrapper, GRUCell,
                                  LSTMCell, LSTMStateTuple, MultiRNNCell, RNNCell)
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "LSTMStateTuple"]
__getattr__ = forbid_missing("tf.nn.rnn_cell", __all__)
