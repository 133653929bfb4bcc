"""``tf.contrib.rnn`` of TF 1.x: the ``tf.nn.rnn_cell`` cells, ``OutputProjectionWrapper``
and ``static_rnn``.

    cells = [tf.contrib.rnn.BasicRNNCell(n) for n in (100, 100)]
    cell = tf.contrib.rnn.OutputProjectionWrapper(tf.contrib.rnn.MultiRNNCell(cells), 1)
    outputs, states = tf.contrib.rnn.static_rnn(cell, tf.unstack(X, axis=1), dtype=tf.float32)

The cells are the package's one implementation (``tf1repro.runtime.rnn``, TF
1.15's names); ``static_rnn`` is ``tf.compat.v1.nn.static_rnn``.  Any other name
raises ``Unsupported`` saying so and naming these.
"""

from tf1repro.runtime.rnn import (BasicLSTMCell, BasicRNNCell, DropoutWrapper, GRUCell,
                                  LSTMCell, LSTMStateTuple, MultiRNNCell, OutputProjectionWrapper,
                                  RNNCell, static_rnn)
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "OutputProjectionWrapper", "LSTMStateTuple", "static_rnn"]
__getattr__ = forbid_missing("tf.contrib.rnn", __all__)
