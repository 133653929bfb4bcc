"""TF 1.x's cells made of cells: ``MultiRNNCell``, ``DropoutWrapper``
(``tf.nn.rnn_cell``) and ``OutputProjectionWrapper`` (``tf.contrib.rnn``).

    cell = MultiRNNCell([BasicLSTMCell(128), BasicLSTMCell(64)])   # multi_rnn_cell/cell_0/...
    cell = DropoutWrapper(BasicLSTMCell(128), output_keep_prob=keep_prob, seed=42)
    cell = OutputProjectionWrapper(GRUCell(64), output_size=1)     # [batch, 1] per step

The wrapped cell keeps its own scope: under a DropoutWrapper its variables are
where they would be without it (``rnn/basic_lstm_cell/kernel``); under an
OutputProjectionWrapper they are nested in the wrapper's
(``rnn/output_projection_wrapper/gru_cell/...``), as TF 1.15 nested them.
"""

import hashlib

from tf1repro.runtime.base import _unsupported
from tf1repro.runtime import releases
from tf1repro.runtime.dropout import nn_dropout
from tf1repro.runtime.rnn_base import LSTMStateTuple, RNNCell, assert_like_rnncell
from tf1repro.runtime.rnn_ops import Affine, zero_state_scope
from tf1repro.tfcompat import tf, v1


class MultiRNNCell(RNNCell):
    """``MultiRNNCell(cells, state_is_tuple=True)``: the cells in sequence, cell ``k``
    under ``multi_rnn_cell/cell_k/``; the state is the tuple of their states."""

    def __init__(self, cells, state_is_tuple=True):
        super().__init__()
        if not cells:
            raise ValueError("Must specify at least one cell for MultiRNNCell.")
        if not isinstance(cells, (list, tuple)):
            raise TypeError(f"cells must be a list or tuple, but saw: {cells}.")
        self._cells_list, self._state_is_tuple = list(cells), state_is_tuple
        if not state_is_tuple and any(tf.nest.is_nested(c.state_size) for c in cells):
            raise ValueError("Some cells return tuples of states, but the flag state_is_tuple "
                             f"is not set.  State sizes are: {[c.state_size for c in cells]}")

    @property
    def state_size(self):
        sizes = [cell.state_size for cell in self._cells_list]
        return tuple(sizes) if self._state_is_tuple else sum(sizes)

    output_size = property(lambda self: self._cells_list[-1].output_size)

    def _cells(self):
        return self._cells_list

    def zero_state(self, batch_size, dtype):
        if not self._state_is_tuple:
            return super().zero_state(batch_size, dtype)
        with zero_state_scope(self, batch_size):
            return tuple(cell.zero_state(batch_size, dtype) for cell in self._cells_list)

    def call(self, inputs, state):
        if self._state_is_tuple and not tf.nest.is_nested(state):
            raise ValueError(f"Expected state to be a tuple of length "
                             f"{len(self.state_size)}, but received: {state}")
        output, new_states, start = inputs, [], 0
        for k, cell in enumerate(self._cells_list):
            with v1.variable_scope(f"cell_{k}"):
                if self._state_is_tuple:
                    cell_state = state[k]
                else:  # concatenated: this cell's columns (array_ops.slice, every release)
                    cell_state = tf.slice(state, [0, start], [-1, cell.state_size])
                    start += cell.state_size
                output, cell_state = cell(output, cell_state)
            new_states.append(cell_state)
        return output, tuple(new_states) if self._state_is_tuple else tf.concat(new_states, 1)


def _droppable(state):
    """Flags over ``tf.nest.flatten(state)``: TF 1.4+'s default state filter drops
    everything but an LSTM's memory ``c`` (and never a TensorArray)."""
    if isinstance(state, LSTMStateTuple):
        return [False, True]
    if isinstance(state, tf.TensorArray):
        return [False]
    if tf.nest.is_nested(state):
        return [flag for part in state for flag in _droppable(part)]
    return [True]


class _OneCellWrapper(RNNCell):
    """What the wrappers of one ``cell`` share: its state, its zero state (under the scope
    TF 1.x named after the wrapper) and the cell as their one sub-cell."""

    state_size = property(lambda self: self.cell.state_size)

    def _cells(self):
        return [self.cell]

    def zero_state(self, batch_size, dtype):
        with zero_state_scope(self, batch_size):
            return self.cell.zero_state(batch_size, dtype)


class DropoutWrapper(_OneCellWrapper):
    """``DropoutWrapper(cell, input_keep_prob=1.0, output_keep_prob=1.0,
    state_keep_prob=1.0, seed=None)``: dropout on the cell's inputs, its new state
    (all but an LSTM's ``c``) and its output, a fresh mask at every step.

    A keep probability that is the constant 1 adds no op; a tensor always adds
    one.  With a ``seed``, each tensor gets its own op seed derived from it as TF
    1.15 derived it (md5 of seed, ``input``/``state``/``output`` and the index).
    """

    def __init__(self, cell, input_keep_prob=1.0, output_keep_prob=1.0, state_keep_prob=1.0,
                 variational_recurrent=False, input_size=None, dtype=None, seed=None,
                 dropout_state_filter_visitor=None, **kwargs):
        super().__init__(dtype=dtype, **kwargs)
        assert_like_rnncell("cell", cell)
        for argument, value in [("variational_recurrent", variational_recurrent),
                                ("dropout_state_filter_visitor", dropout_state_filter_visitor)]:
            if value:
                raise _unsupported("DropoutWrapper", argument, value)
        self.cell, self._seed = cell, seed
        self._input_size = input_size  # TF 1.x used it (and dtype) only when variational
        with v1.name_scope("DropoutWrapperInit"):
            self._keep = {}
            for salt, prob in [("input", input_keep_prob), ("state", state_keep_prob),
                               ("output", output_keep_prob)]:
                tensor = tf.convert_to_tensor(prob)
                value = tf.get_static_value(tensor)
                if value is not None and not 0 <= value <= 1:
                    raise ValueError(f"Parameter {salt}_keep_prob must be between 0 and 1: "
                                     f"{value}")
                self._keep[salt] = tensor if value is None else float(value)

    output_size = property(lambda self: self.cell.output_size)
    wrapped_cell = property(lambda self: self.cell)

    def _gen_seed(self, salt, index):
        if self._seed is None:
            return None
        digest = hashlib.md5(f"{self._seed}{salt}_{index}".encode("utf-8")).hexdigest()
        return int(digest[:8], 16) & 0x7FFFFFFF

    def _dropout(self, values, salt, flags=None):
        keep = self._keep[salt]
        leaves = tf.nest.flatten(values)
        flags = flags or [True] * len(leaves)
        dropped = [self._drop(leaf, keep, self._gen_seed(salt, k)) if flag else leaf
                   for k, (leaf, flag) in enumerate(zip(leaves, flags))]
        return tf.nest.pack_sequence_as(values, dropped)

    @staticmethod
    def _drop(leaf, keep, seed):
        # The release's nn.dropout (runtime/dropout.py): keep_prob= through 1.13 (whose
        # dropout turns it into a rate itself), then dropout_v2(rate=1. - keep_prob): a "sub"
        # op before the dropout's own when keep is a tensor (rnn_cell_impl.py, 1.13.2, 1.14.0).
        if releases.fact("dropout") != "rate":
            return nn_dropout(leaf, keep_prob=keep, seed=seed)
        return nn_dropout(leaf, rate=1. - keep, seed=seed)

    def _applies(self, salt):
        keep = self._keep[salt]
        return not isinstance(keep, float) or keep < 1

    def __call__(self, inputs, state, scope=None):
        # No scope of its own: the wrapped cell's variables stay where they were.
        if self._applies("input"):
            inputs = self._dropout(inputs, "input")
        output, new_state = self.cell(inputs, state, scope=scope)
        if self._applies("state"):
            # 1.4+ spare an LSTM's memory c; 1.1-1.3 dropped every part of the state.
            flags = _droppable(new_state) if releases.fact("rnn_dropout_state_filter") else None
            new_state = self._dropout(new_state, "state", flags)
        if self._applies("output"):
            output = self._dropout(output, "output")
        return output, new_state


class OutputProjectionWrapper(_OneCellWrapper):
    """``OutputProjectionWrapper(cell, output_size, activation=None)``: the cell's
    output times ``kernel`` [cell output, output_size] plus ``bias`` (zeros),
    created after the cell's own variables, in ``output_projection_wrapper/``."""

    def __init__(self, cell, output_size, activation=None, reuse=None):
        super().__init__(_reuse=reuse)
        assert_like_rnncell("cell", cell)
        if output_size < 1:
            raise ValueError(f"Parameter output_size must be > 0: {output_size}.")
        self.cell, self._output_size, self._activation = cell, output_size, activation
        self._linear = None

    output_size = property(lambda self: self._output_size)

    def call(self, inputs, state):
        output, new_state = self.cell(inputs, state)
        if output.shape[-1] is None:
            raise ValueError(f"linear expects shape[1] to be provided for shape "
                             f"{output.shape}, but saw None")
        if self._linear is None:
            self._linear = Affine(self, releases.fact("rnn_projection_variables"))
        projected = self._linear([output], self._output_size)
        return (self._activation(projected) if self._activation else projected), new_state


__all__ = ["MultiRNNCell", "DropoutWrapper", "OutputProjectionWrapper"]
