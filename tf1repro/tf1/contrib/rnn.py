"""``tf.contrib.rnn`` of TF 1.x: the ``tf.nn.rnn_cell`` cells, ``OutputProjectionWrapper``,
``static_rnn`` and ``static_bidirectional_rnn``.

    cells = [tf.contrib.rnn.BasicRNNCell(n) for n in (100, 100)]
    cell = tf.contrib.rnn.OutputProjectionWrapper(tf.contrib.rnn.MultiRNNCell(cells), 1)
    outputs, states = tf.contrib.rnn.static_rnn(cell, tf.unstack(X, axis=1), dtype=tf.float32)

The cells are the package's one implementation (``tf1repro.runtime.rnn``, the
release's ops); ``static_rnn`` and ``static_bidirectional_rnn`` are
``tf.compat.v1.nn``'s (TF 1.x's ``contrib/rnn/__init__.py`` imported both from core
``rnn.py``).  Any other name
raises ``Unsupported`` saying so and naming these.
"""

from tf1repro.runtime.rnn import (BasicLSTMCell, BasicRNNCell, DropoutWrapper, GRUCell,
                                  LSTMCell, LSTMStateTuple, MultiRNNCell, OutputProjectionWrapper,
                                  RNNCell, static_bidirectional_rnn, static_rnn)
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["RNNCell", "BasicRNNCell", "BasicLSTMCell", "LSTMCell", "GRUCell", "MultiRNNCell",
           "DropoutWrapper", "OutputProjectionWrapper", "LSTMStateTuple", "static_rnn",
           "static_bidirectional_rnn"]
__getattr__ = forbid_missing("tf.contrib.rnn", __all__)
