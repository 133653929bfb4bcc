"""TF 1.x's RNN cells (``tf.nn.rnn_cell``), rebuilt on core TensorFlow.

    cell = BasicLSTMCell(128)                     # or LSTMCell, GRUCell, BasicRNNCell
    outputs, state = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    # variables: rnn/basic_lstm_cell/kernel [depth + 128, 512], rnn/basic_lstm_cell/bias [512]

Keras 3 took ``tf.compat.v1.nn.rnn_cell`` away.  These are TF 1.x's
``rnn_cell_impl.py`` cells with its argument lists and defaults, variable names,
creation order, initializers and gate layout, so TF 1.x checkpoints restore; when
the variables are made, relative to the ops of the first step, is the release's
(``rnn_ops.Affine``: in ``build`` from 1.5, at the first call before).
"""

from tf1repro.runtime.base import _unsupported
from tf1repro.runtime.rnn_base import LSTMStateTuple, RNNCell, _activation, _depth
from tf1repro.runtime.rnn_ops import Affine, cell_era
from tf1repro.tfcompat import tf, v1


class BasicRNNCell(RNNCell):
    """``BasicRNNCell(num_units)``: ``h' = activation([x, h] @ kernel + bias)``.

    ``kernel`` [depth + units, units] (the scope's initializer, else glorot
    uniform), then ``bias`` [units] (zeros).
    """

    def __init__(self, num_units, activation=None, reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = num_units
        self._activation = _activation("BasicRNNCell", activation)

    state_size = output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        depth = _depth(self, inputs_shape)
        self._linear = Affine(self, cell_era())
        if self._linear.era == "build":
            self._linear.make(depth + self._num_units, self._num_units)

    def call(self, inputs, state):
        output = self._activation(self._linear([inputs, state], self._num_units))
        return output, output


class GRUCell(RNNCell):
    """``GRUCell(num_units)``: reset and update gates ``r, u`` from ``gates/``, then
    ``h' = u * h + (1 - u) * activation([x, r * h] @ candidate/kernel + candidate/bias)``.

    Created in order: ``gates/kernel`` [depth + units, 2 units], ``gates/bias``
    (ones: start neither resetting nor updating), ``candidate/kernel``,
    ``candidate/bias`` (zeros); ``bias_initializer`` replaces both bias defaults.
    """

    def __init__(self, num_units, activation=None, reuse=None, kernel_initializer=None,
                 bias_initializer=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = num_units
        self._activation = _activation("GRUCell", activation)
        self._kernel_initializer = kernel_initializer
        self._bias_initializer = bias_initializer

    state_size = output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        rows, units, era = _depth(self, inputs_shape) + self._num_units, self._num_units, cell_era()
        self._gate_linear = Affine(self, era, "gates", self._kernel_initializer,
                                   self._bias_initializer or v1.constant_initializer(1.0))
        self._candidate_linear = Affine(self, era, "candidate", self._kernel_initializer,
                                        self._bias_initializer)
        if era == "build":
            self._gate_linear.make(rows, 2 * units)
            self._candidate_linear.make(rows, units)

    def call(self, inputs, state):
        gates = tf.sigmoid(self._gate_linear([inputs, state], 2 * self._num_units))
        r, u = tf.split(gates, 2, axis=1)
        candidate = self._activation(self._candidate_linear([inputs, r * state], self._num_units))
        new_h = u * state + (1 - u) * candidate
        return new_h, new_h


class BasicLSTMCell(RNNCell):
    """``BasicLSTMCell(num_units, forget_bias=1.0, state_is_tuple=True)``.

    One ``kernel`` [depth + units, 4 units] and ``bias`` [4 units] (zeros) give
    the gates in the order i (input), j (new input), f (forget), o (output):
    ``c' = c * sigmoid(f + forget_bias) + sigmoid(i) * tanh(j)``,
    ``h' = tanh(c') * sigmoid(o)``.  The state is ``LSTMStateTuple(c, h)``, or
    ``[c, h]`` concatenated when ``state_is_tuple=False``.
    """

    def __init__(self, num_units, forget_bias=1.0, state_is_tuple=True, activation=None,
                 reuse=None, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        self._num_units = num_units
        self._forget_bias = forget_bias
        self._state_is_tuple = state_is_tuple
        self._activation = _activation("BasicLSTMCell", activation)

    @property
    def state_size(self):
        n = self._num_units
        return LSTMStateTuple(n, n) if self._state_is_tuple else 2 * n

    output_size = property(lambda self: self._num_units)

    def build(self, inputs_shape):
        rows = _depth(self, inputs_shape) + self._num_units
        self._linear = Affine(self, cell_era())
        if self._linear.era == "build":
            self._linear.make(rows, 4 * self._num_units)

    def call(self, inputs, state):
        built = self._linear.era == "build"
        # 1.5+ split along a Const ``one`` made first and add a Const forget bias; before,
        # each split made its own axis and ``f + forget_bias`` its ``add/y``: as many ops.
        axis = tf.constant(1, dtype=tf.int32) if built else 1
        c, h = state if self._state_is_tuple else tf.split(state, 2, axis=axis)
        i, j, f, o = tf.split(self._linear([inputs, h], 4 * self._num_units), 4, axis=axis)
        forget_bias = tf.constant(self._forget_bias, dtype=f.dtype) if built else self._forget_bias
        new_c = c * tf.sigmoid(f + forget_bias) + tf.sigmoid(i) * self._activation(j)
        new_h = self._activation(new_c) * tf.sigmoid(o)
        new_state = (LSTMStateTuple(new_c, new_h) if self._state_is_tuple
                     else tf.concat([new_c, new_h], 1))
        return new_h, new_state


class LSTMCell(RNNCell):
    """``LSTMCell(num_units, use_peepholes=False, cell_clip=None, initializer=None,
    num_proj=None, proj_clip=None, forget_bias=1.0, state_is_tuple=True)``.

    BasicLSTMCell's gates (i, j, f, o from one ``kernel``, ``initializer`` or the
    scope's), plus: peepholes ``w_f_diag``, ``w_i_diag``, ``w_o_diag`` [units]
    (created in that order after ``bias``) adding ``w * c`` to f, i (old c) and o
    (new c); ``c`` clipped to ``cell_clip``; the output projected by
    ``projection/kernel`` [units, num_proj], clipped to ``proj_clip``.  With a
    projection the state is ``(c [units], h [num_proj])``.
    """

    def __init__(self, num_units, use_peepholes=False, cell_clip=None, initializer=None,
                 num_proj=None, proj_clip=None, num_unit_shards=None, num_proj_shards=None,
                 forget_bias=1.0, state_is_tuple=True, activation=None, reuse=None, name=None,
                 dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype, _reuse=reuse, **kwargs)
        for argument, value in [("num_unit_shards", num_unit_shards),
                                ("num_proj_shards", num_proj_shards)]:
            if value is not None:  # partitioned variables: not reproduced
                raise _unsupported("LSTMCell", argument, value)
        self._num_units, self._num_proj = num_units, num_proj
        self._use_peepholes, self._initializer = use_peepholes, initializer
        self._cell_clip, self._proj_clip = cell_clip, proj_clip
        self._forget_bias, self._state_is_tuple = forget_bias, state_is_tuple
        self._activation = _activation("LSTMCell", activation)
        h_size = num_proj if num_proj else num_units
        self._state_size = (LSTMStateTuple(num_units, h_size) if state_is_tuple
                            else num_units + h_size)
        self._output_size = h_size

    state_size = property(lambda self: self._state_size)
    output_size = property(lambda self: self._output_size)

    def build(self, inputs_shape):
        units, init, era = self._num_units, self._initializer, cell_era()
        h_size = units if self._num_proj is None else self._num_proj
        self._linear = Affine(self, era, None, init)
        self._projection = Affine(self, era, "projection", init, bias=False)
        self._w_f_diag = None
        if era == "build":
            self._linear.make(_depth(self, inputs_shape) + h_size, 4 * units)
            self._make_peepholes()
            if self._num_proj is not None:
                self._projection.make(units, self._num_proj)

    def _make_peepholes(self):
        if self._use_peepholes and self._w_f_diag is None:
            units, init = self._num_units, self._initializer
            self._w_f_diag = self._variable("w_f_diag", [units], init)
            self._w_i_diag = self._variable("w_i_diag", [units], init)
            self._w_o_diag = self._variable("w_o_diag", [units], init)

    def call(self, inputs, state):
        units = self._num_units
        if self._state_is_tuple:
            c_prev, m_prev = state
        else:
            # array_ops.slice in every release: a Slice and its two Consts each
            c_prev = tf.slice(state, [0, 0], [-1, units])
            m_prev = tf.slice(state, [0, units], [-1, self._output_size])
        i, j, f, o = tf.split(self._linear([inputs, m_prev], 4 * units), 4, axis=1)
        self._make_peepholes()  # before 1.5: here, after the gates' ops
        act = self._activation
        if self._use_peepholes:
            c = (tf.sigmoid(f + self._forget_bias + self._w_f_diag * c_prev) * c_prev
                 + tf.sigmoid(i + self._w_i_diag * c_prev) * act(j))
        else:
            c = tf.sigmoid(f + self._forget_bias) * c_prev + tf.sigmoid(i) * act(j)
        if self._cell_clip is not None:
            c = tf.clip_by_value(c, -self._cell_clip, self._cell_clip)
        o_in = o + self._w_o_diag * c if self._use_peepholes else o
        m = tf.sigmoid(o_in) * act(c)
        if self._num_proj is not None:
            m = self._projection([m], self._num_proj)
            if self._proj_clip is not None:
                m = tf.clip_by_value(m, -self._proj_clip, self._proj_clip)
        new_state = LSTMStateTuple(c, m) if self._state_is_tuple else tf.concat([c, m], 1)
        return m, new_state


__all__ = ["BasicRNNCell", "GRUCell", "BasicLSTMCell", "LSTMCell"]
