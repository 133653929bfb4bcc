"""What every TF 1.x RNN cell shares: the ``RNNCell`` base (its scope, ``zero_state``,
variables) and ``LSTMStateTuple``.

    class MyCell(RNNCell):                     # a TF 1.x subclass, as it was written
        state_size = output_size = property(lambda self: 8)
        def call(self, inputs, state):         # variables land in rnn/my_cell/
            w = tf.get_variable("w", [int(inputs.shape[-1]) + 8, 8])
            h = tf.tanh(tf.matmul(tf.concat([inputs, state], 1), w))
            return h, h

A cell is a plain callable with ``state_size``, ``output_size`` and
``zero_state``: all that TF 2.21's ``tf.compat.v1.nn.dynamic_rnn`` /
``static_rnn`` ask of one (``assert_like_rnncell``).  It owns one variable scope,
named as TF 1.x's layers named theirs (the class name in snake case, made unique
in the enclosing scope: ``basic_lstm_cell``, ``basic_lstm_cell_1``), taken at its
first call and reused by later calls, so the variables of every time step are one
set.
"""

import re
from typing import NamedTuple

from tf1repro.runtime.base import _unsupported
from tf1repro.runtime.rnn_ops import _name, zero_state_scope, zero_state_tensors
from tf1repro.tfcompat import tf, v1


def _snake_case(class_name):
    # TF 1.x's layer base name: BasicLSTMCell -> basic_lstm_cell, GRUCell -> gru_cell.
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()


_ACTIVATIONS = {"tanh": tf.tanh, "sigmoid": tf.sigmoid, "relu": tf.nn.relu, "elu": tf.nn.elu,
                "selu": tf.nn.selu, "softplus": tf.nn.softplus, "softsign": tf.nn.softsign,
                "linear": tf.identity}


def _activation(cell, activation):
    if not activation:
        return tf.tanh
    if callable(activation):
        return activation
    if activation in _ACTIVATIONS:  # TF 1.15 took Keras's activation names too
        return _ACTIVATIONS[activation]
    raise _unsupported(cell, "activation", activation)


def assert_like_rnncell(argument, cell):
    """TypeError unless ``cell`` has what ``dynamic_rnn`` uses (TF 1.15's duck test)."""
    missing = [what for what, ok in [
        ("'output_size' property is missing", hasattr(cell, "output_size")),
        ("'state_size' property is missing", hasattr(cell, "state_size")),
        ("either 'zero_state' or 'get_initial_state' method is required",
         hasattr(cell, "zero_state") or hasattr(cell, "get_initial_state")),
        ("is not callable", callable(cell))] if not ok]
    if missing:
        raise TypeError(f"The argument {argument!r} ({cell}) is not an RNNCell: "
                        f"{', '.join(missing)}.")


class LSTMStateTuple(NamedTuple("LSTMStateTuple", [("c", object), ("h", object)])):
    """``(c, h)``: an LSTM's memory and output, as its ``state_size`` and state."""
    __slots__ = ()

    @property
    def dtype(self):
        c, h = self
        if c.dtype != h.dtype:
            raise TypeError(f"Inconsistent internal state: {c.dtype} vs {h.dtype}")
        return c.dtype


class RNNCell:
    """``tf.nn.rnn_cell.RNNCell``: subclasses give ``state_size``, ``output_size``,
    ``build(inputs_shape)`` (make variables) and ``call(inputs, state)``.

    ``__call__`` runs both in the cell's variable scope: ``build`` once, on the
    first call, when the input depth and dtype are known.  A subclass written for
    TF 1.x that calls ``tf.get_variable`` in ``call`` works as it did.
    """

    def __init__(self, trainable=True, name=None, dtype=None, **kwargs):
        for argument, value in kwargs.items():
            if argument != "_reuse":  # what TF 1.x's subclasses passed up as reuse
                raise _unsupported(type(self).__name__, argument, value)
        self.trainable = trainable
        self.dtype = tf.as_dtype(dtype) if dtype else None
        self.built = False
        self._reuse = kwargs.get("_reuse")
        self._base_name = name or _snake_case(type(self).__name__)
        self._scope = None
        self._variables = []

    @property
    def state_size(self):
        raise NotImplementedError("Abstract method")

    @property
    def output_size(self):
        raise NotImplementedError("Abstract method")

    def build(self, inputs_shape):
        pass

    def call(self, inputs, state):
        raise NotImplementedError("Abstract method")

    def __call__(self, inputs, state, scope=None):
        if self._scope is None:
            # TF 1.x's layers: a unique scope from the name, unless told to reuse.
            entered = (v1.variable_scope(self._base_name if scope is None else scope)
                       if self._reuse else v1.variable_scope(scope, default_name=self._base_name))
            with entered as captured:
                self._scope = captured
        with v1.variable_scope(self._scope, reuse=self.built or self._reuse,
                               auxiliary_name_scope=False) as current, \
                v1.name_scope(current.original_name_scope):
            if not self.built:
                inputs = tf.convert_to_tensor(inputs)
                self.dtype = self.dtype or inputs.dtype.base_dtype
                _check_floating(self.dtype)
                self.build(inputs.shape)
                self.built = True
            return self.call(inputs, state)

    def zero_state(self, batch_size, dtype):
        """Zeros shaped ``[batch_size, s]`` for each ``s`` in ``state_size``, built as the
        release built them (``rnn_ops.zero_state_tensors``)."""
        with zero_state_scope(self, batch_size):
            return zero_state_tensors(self.state_size, batch_size, dtype)

    def _variable(self, name, shape, initializer=None, dtype=None):
        var = v1.get_variable(name, shape, dtype or self.dtype, initializer,
                              trainable=self.trainable)
        self._variables.append(var)
        return var

    def _cells(self):
        return []

    @property
    def variables(self):
        return self._variables + [v for cell in self._cells() for v in cell.variables]

    @property
    def trainable_variables(self):
        trainable = {id(v) for v in v1.trainable_variables()}  # `in` would compare tensors
        return [v for v in self.variables if id(v) in trainable]

    weights, trainable_weights = variables, trainable_variables

    def __repr__(self):
        return f"<{type(self).__name__} {self._scope.name if self._scope else self._base_name}>"


def _check_floating(dtype):
    if not (dtype.is_floating or dtype.is_complex):
        raise ValueError(f"RNN cell only supports floating point inputs, but saw dtype: {dtype}")


def _depth(cell, inputs_shape):
    shape = tf.TensorShape(inputs_shape)
    if shape.rank is not None and shape.rank != 2:
        raise ValueError(f"Input 0 of layer {cell._base_name} is incompatible with the layer: "
                         f"expected ndim=2, found ndim={shape.rank}. Full shape received: {shape}")
    if shape.rank is None or shape[-1] is None:
        raise ValueError(f"Expected inputs.shape[-1] to be known, saw shape: {shape}")
    return int(shape[-1])
