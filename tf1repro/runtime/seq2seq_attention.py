"""``tf.contrib.seq2seq``'s attention of TF 1.2-1.15: ``BahdanauAttention``, ``LuongAttention``,
``AttentionWrapper`` with its ``AttentionWrapperState``, and ``hardmax``, ``safe_cumprod``.

    attention = BahdanauAttention(8, encoder_outputs, memory_sequence_length=lengths)
    cell = AttentionWrapper(BasicLSTMCell(16), attention, attention_layer_size=8)
    state = cell.zero_state(batch, tf.float32).clone(cell_state=encoder_state)
    decoder = BasicDecoder(cell, helper, state)       # or dynamic_rnn(cell, inputs, ...)

The variables, as every release named and made them (``decoder/`` is the caller's scope):
``memory_layer/kernel`` when the mechanism is made; at the wrapper's first step
``decoder/attention_wrapper/<cell>/...``, then ``.../bahdanau_attention/query_layer/kernel``,
``.../bahdanau_attention/attention_v`` (``attention_g``, ``attention_b`` with ``normalize``;
Luong: ``.../luong_attention/attention_g`` with ``scale``), then
``.../attention_layer/kernel``.

Read in each wheel's ``contrib/seq2seq/python/ops/attention_wrapper.py``, 1.2.1 to 1.15.5;
what changed between them is in ``releases`` (``seq2seq_attention*``, ``seq2seq_luong_g``,
``seq2seq_bahdanau_g``, ``seq2seq_alignment_history_shape``).  1.0 and 1.1 had no
``AttentionWrapper`` (1.1's ``DynamicAttentionWrapper`` is not reproduced): UserError.
"""

import collections
import math

import numpy as np

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.ops import tensor_array_ops

from tf1repro.errors import UserError
from tf1repro.runtime import arrays, releases
from tf1repro.runtime.base import _unsupported
from tf1repro.runtime.layers import dense
from tf1repro.runtime.rnn_base import RNNCell, assert_like_rnncell
from tf1repro.runtime.rnn_ops import zero_state_tensors


def _form(what):
    """The release's form of the wrapper (fact ``seq2seq_attention``); UserError before 1.2."""
    form = releases.fact("seq2seq_attention")
    if form is None:
        raise UserError(f"tf.contrib.seq2seq.{what} does not exist in TF "
                        f"{releases.current().name}: AttentionWrapper came in 1.2 (1.1's "
                        "DynamicAttentionWrapper is not reproduced)")
    return form


def _refuse_later(kind, **arguments):
    """The TypeError Python gave for an argument the release did not have yet."""
    known = releases.fact("seq2seq_attention_arguments")
    for name, value in arguments.items():
        if value is not None and f"{kind}.{name}" not in known:
            raise TypeError(f"__init__() got an unexpected keyword argument '{name}'")


def _static_or_shape(tensor, axis):
    return tf.compat.dimension_value(tensor.shape[axis]) or tf.shape(tensor)[axis]


class _Dense:
    """``layers_core.Dense(units, name=name, use_bias=False)`` as the attention code used it:
    its scope taken at the first call in the caller's (made unique: ``memory_layer_1``),
    the kernel made then (the package's ``dense``) and reused by every later call."""

    def __init__(self, units, name):
        self.units, self.name, self._scope = int(units), name, None

    def __call__(self, inputs):
        if self._scope is None:
            with v1.variable_scope(None, default_name=self.name) as scope:
                self._scope = scope
        outputs = dense(inputs, self.units, use_bias=False, name=self._scope)
        self._scope.reuse_variables()
        return outputs


# -- memory and its mask -------------------------------------------------------------------

def _prepare_memory(memory, memory_sequence_length, check_inner_dims_defined):
    """The memory as a tensor, zeros past each row's length; 1.2-1.13 also build
    ``ones(rank - 2)`` without lengths and check the batch sizes with lengths."""
    memory = tf.nest.map_structure(lambda m: tf.convert_to_tensor(m, name="memory"), memory)
    if memory_sequence_length is not None:
        memory_sequence_length = tf.convert_to_tensor(memory_sequence_length,
                                                      name="memory_sequence_length")
    if check_inner_dims_defined:
        for m in tf.nest.flatten(memory):
            if not m.shape[2:].is_fully_defined():
                raise ValueError(f"Expected memory {m.name} to have fully defined inner dims, "
                                 f"but saw shape: {m.shape}")
    checked = releases.fact("seq2seq_attention_memory_check")
    if memory_sequence_length is None and not checked:
        return memory
    first = tf.nest.flatten(memory)[0]
    if memory_sequence_length is not None:
        seq_len_mask = tf.sequence_mask(memory_sequence_length, maxlen=tf.shape(first)[1],
                                        dtype=first.dtype)
        if checked:
            seq_len_batch_size = _static_or_shape(memory_sequence_length, 0)

    def maybe_mask(m):
        rank = m.shape.rank if m.shape.rank is not None else tf.rank(m)
        extra_ones = arrays.ones(rank - 2, dtype=tf.int32)
        if checked:
            m_batch_size = _static_or_shape(m, 0)
        if memory_sequence_length is None:
            return m
        checks = ([v1.assert_equal(seq_len_batch_size, m_batch_size, message=(
            "memory_sequence_length and memory tensor batch sizes do not match."))]
                  if checked else [])
        with tf.control_dependencies(checks):
            mask = tf.reshape(seq_len_mask,
                              tf.concat((tf.shape(seq_len_mask), extra_ones), 0))
            return m * mask

    return tf.nest.map_structure(maybe_mask, memory)


def _maybe_mask_score(score, memory_sequence_length, score_mask_value):
    """``score`` with ``score_mask_value`` past each row's length (every release)."""
    if memory_sequence_length is None:
        return score
    message = "All values in memory_sequence_length must greater than zero."
    with tf.control_dependencies([v1.assert_positive(memory_sequence_length, message=message)]):
        score_mask = tf.sequence_mask(memory_sequence_length, maxlen=tf.shape(score)[1])
        score_mask_values = score_mask_value * arrays.ones_like(score)
        return v1.where(score_mask, score, score_mask_values)


# -- the mechanisms ------------------------------------------------------------------------

class AttentionMechanism:
    """What ``AttentionWrapper`` accepts as a mechanism."""

    @property
    def alignments_size(self):
        raise NotImplementedError

    @property
    def state_size(self):
        raise NotImplementedError


class _BaseAttentionMechanism(AttentionMechanism):
    """The memory, masked and put through ``memory_layer`` (the keys), and the score's
    ``probability_fn`` behind the mask."""

    def __init__(self, query_layer, memory, probability_fn, memory_sequence_length=None,
                 memory_layer=None, check_inner_dims_defined=True, score_mask_value=None,
                 custom_key_value_fn=None, name=None, dtype=None):
        self._query_layer, self._memory_layer = query_layer, memory_layer
        self.dtype = tf.as_dtype(dtype or tf.float32)
        if not callable(probability_fn):
            raise TypeError(f"probability_fn must be callable, saw type: "
                            f"{type(probability_fn).__name__}")
        if score_mask_value is None:
            score_mask_value = self.dtype.as_numpy_dtype(-np.inf)
        # The argument as given: the mask's assert_positive converts it once more.
        self._probability_fn = lambda score, prev: probability_fn(
            _maybe_mask_score(score, memory_sequence_length, score_mask_value), prev)
        with v1.name_scope(name, "BaseAttentionMechanismInit", tf.nest.flatten(memory)):
            self._values = _prepare_memory(memory, memory_sequence_length,
                                           check_inner_dims_defined)
            self._keys = self._memory_layer(self._values) if self._memory_layer else self._values
            if custom_key_value_fn is not None:
                self._keys, self._values = custom_key_value_fn(self._keys, self._values)
            self._batch_size = _static_or_shape(self._keys, 0)
            self._alignments_size = _static_or_shape(self._keys, 1)

    def _keyed(self, kind, num_units, query_layer, memory, memory_sequence_length,
               probability_fn, score_mask_value, dtype, custom_key_value_fn, name):
        """What Luong's and Bahdanau's constructors share: the release's checks, softmax by
        default, and the keys through a ``memory_layer`` of ``num_units``."""
        _form(kind)
        _refuse_later("mechanism", dtype=dtype, custom_key_value_fn=custom_key_value_fn)
        probability_fn = probability_fn or v1.nn.softmax
        _BaseAttentionMechanism.__init__(
            self, query_layer=query_layer, memory_layer=_Dense(num_units, "memory_layer"),
            memory=memory, probability_fn=lambda score, _: probability_fn(score),
            memory_sequence_length=memory_sequence_length, score_mask_value=score_mask_value,
            custom_key_value_fn=custom_key_value_fn, name=name, dtype=dtype)

    memory_layer = property(lambda self: self._memory_layer)
    query_layer = property(lambda self: self._query_layer)
    values = property(lambda self: self._values)
    keys = property(lambda self: self._keys)
    batch_size = property(lambda self: self._batch_size)
    alignments_size = property(lambda self: self._alignments_size)
    state_size = property(lambda self: self._alignments_size)

    def initial_alignments(self, batch_size, dtype):
        """Zeros [batch_size, max_time] (the release's zero state ops)."""
        return zero_state_tensors(self._alignments_size, batch_size, dtype)

    def initial_state(self, batch_size, dtype):
        return self.initial_alignments(batch_size, dtype)

    def _alignments(self, score, state):
        """1.2-1.5: the alignments; 1.6+: (alignments, next state), the state being them."""
        alignments = self._probability_fn(score, state)
        if releases.fact("seq2seq_attention") == "attention_state":
            return alignments, alignments
        return alignments


def _luong_score(query, keys, scale):
    """``squeeze(expand_dims(query, 1) @ keys^T, [1])``, times ``scale()`` if given."""
    depth, key_units = query.shape[-1], keys.shape[-1]
    if depth != key_units:
        raise ValueError(
            "Incompatible or unknown inner dimensions between query and keys.  "
            f"Query ({query}) has units: {depth}.  Keys ({keys}) have units: {key_units}.  "
            f"Perhaps you need to set num_units to the keys' dimension ({key_units})?")
    query = tf.expand_dims(query, 1)                         # [batch, 1, depth]
    score = tf.matmul(query, keys, transpose_b=True)         # [batch, 1, max_time]
    score = tf.squeeze(score, [1])
    return score if scale is None else scale() * score


def _bahdanau_score(processed_query, keys, variables):
    """``sum(v * tanh(keys + query), 2)``, or with ``normalize`` ``g * v / |v|`` and ``+ b``;
    ``variables()`` gives (v, g, b), called after the query's ``expand_dims``."""
    processed_query = tf.expand_dims(processed_query, 1)    # [batch, 1, units]
    v, g, b = variables()
    if g is None:
        return tf.reduce_sum(v * tf.tanh(keys + processed_query), [2])
    normed_v = g * v * tf.math.rsqrt(tf.reduce_sum(tf.square(v)))
    return tf.reduce_sum(normed_v * tf.tanh(keys + processed_query + b), [2])


def _made_now(make):
    """``make`` called now (1.14+: the score's variables before its ops), as a callable."""
    if not releases.fact("seq2seq_attention_variables_first"):
        return make
    made = make()
    return lambda: made


class LuongAttention(_BaseAttentionMechanism):
    """``LuongAttention(num_units, memory, memory_sequence_length=None, scale=False,
    probability_fn=None, score_mask_value=None, name="LuongAttention")``: the score is
    the query times the keys (``memory_layer``), times ``attention_g`` with ``scale``."""

    def __init__(self, num_units, memory, memory_sequence_length=None, scale=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 custom_key_value_fn=None, name="LuongAttention"):
        self._keyed("LuongAttention", num_units, None, memory, memory_sequence_length,
                    probability_fn, score_mask_value, dtype, custom_key_value_fn, name)
        self._num_units, self._scale, self._name = num_units, scale, name

    def __call__(self, query, state):
        """The alignments [batch, max_time] of ``query`` [batch, depth] (1.6+: and the
        next state); ``state`` is the previous alignments."""
        with v1.variable_scope(None, "luong_attention", [query]):
            scale = _made_now(lambda: self._attention_g(query.dtype)) if self._scale else None
            score = _luong_score(query, self._keys, scale)
        return self._alignments(score, state)

    @staticmethod
    def _attention_g(dtype):
        if releases.fact("seq2seq_luong_g") == "value":
            return v1.get_variable("attention_g", dtype=dtype, initializer=1.)
        return v1.get_variable("attention_g", dtype=dtype, initializer=v1.ones_initializer,
                               shape=())


class BahdanauAttention(_BaseAttentionMechanism):
    """``BahdanauAttention(num_units, memory, memory_sequence_length=None, normalize=False,
    probability_fn=None, score_mask_value=None, name="BahdanauAttention")``: the score is
    ``attention_v . tanh(keys + query_layer(query))`` (weight-normalized with ``normalize``)."""

    def __init__(self, num_units, memory, memory_sequence_length=None, normalize=False,
                 probability_fn=None, score_mask_value=None, dtype=None,
                 custom_key_value_fn=None, name="BahdanauAttention"):
        self._keyed("BahdanauAttention", num_units, _Dense(num_units, "query_layer"), memory,
                    memory_sequence_length, probability_fn, score_mask_value, dtype,
                    custom_key_value_fn, name)
        self._num_units, self._normalize, self._name = num_units, normalize, name

    def __call__(self, query, state):
        """The alignments [batch, max_time] of ``query`` [batch, depth] (1.6+: and the
        next state); ``state`` is the previous alignments."""
        with v1.variable_scope(None, "bahdanau_attention", [query]):
            processed_query = self.query_layer(query) if self.query_layer else query
            variables = _made_now(lambda: self._score_variables(processed_query.dtype))
            score = _bahdanau_score(processed_query, self._keys, variables)
        return self._alignments(score, state)

    def _score_variables(self, dtype):
        units = self._num_units
        v = v1.get_variable("attention_v", [units], dtype=dtype)
        if not self._normalize:
            return v, None, None
        g_value = math.sqrt(1. / units)
        if releases.fact("seq2seq_bahdanau_g") == "value":
            g = v1.get_variable("attention_g", dtype=dtype, initializer=g_value)
        else:
            g = v1.get_variable("attention_g", dtype=dtype,
                                initializer=v1.constant_initializer(g_value), shape=())
        b = v1.get_variable("attention_b", [units], dtype=dtype,
                            initializer=v1.zeros_initializer())
        return v, g, b


def hardmax(logits, name=None):
    """One-hot vectors at each row's largest logit."""
    _form("hardmax")
    with v1.name_scope(name, "Hardmax", [logits]):
        logits = tf.convert_to_tensor(logits, name="logits")
        depth = tf.compat.dimension_value(logits.shape[-1])
        if depth is None:
            depth = tf.shape(logits)[-1]
        return tf.one_hot(v1.argmax(logits, -1), depth, dtype=logits.dtype)


def safe_cumprod(x, *args, **kwargs):
    """``cumprod(x)`` as ``exp(cumsum(log(clip(x, tiny, 1))))`` (from 1.3)."""
    if _form("safe_cumprod") == "single":
        raise UserError(f"tf.contrib.seq2seq.safe_cumprod does not exist in TF "
                        f"{releases.current().name}: it came in 1.3")
    with v1.name_scope(None, "SafeCumprod", [x]):
        x = tf.convert_to_tensor(x, name="x")
        tiny = np.finfo(x.dtype.as_numpy_dtype).tiny
        return tf.exp(tf.cumsum(tf.math.log(tf.clip_by_value(x, tiny, 1)), *args, **kwargs))


# -- the state and the wrapper ---------------------------------------------------------------

_FIELDS = ("cell_state", "attention", "time", "alignments", "alignment_history")


class AttentionWrapperState:
    """The wrapper's state, a namedtuple of the release's fields: ``cell_state``,
    ``attention``, ``time``, ``alignments``, ``alignment_history`` and, from 1.6,
    ``attention_state``.  ``AttentionWrapperState(...)`` makes the release's own."""

    __slots__ = ()

    def __new__(cls, *args, **kwargs):  # only the base: the release's classes are namedtuples
        return _STATES[_form("AttentionWrapperState") == "attention_state"](*args, **kwargs)

    def clone(self, **kwargs):
        """This state with the fields given replaced; 1.6+ check each new tensor's shape
        against the old (contrib's ``tensor_util.with_same_shape``) and keep the old one."""
        new = self._replace(**kwargs)
        if len(self) == len(_FIELDS):
            return new
        return tf.nest.map_structure(_with_same_shape, self, new)


def _with_same_shape(old, new):
    if not (isinstance(old, tf.Tensor) and isinstance(new, tf.Tensor)):
        return new
    expected, actual = old.shape, new.shape
    if expected.is_fully_defined() and actual.is_fully_defined():
        if not actual.is_compatible_with(expected):
            raise ValueError(f"Invalid shape for tensor {new.name}, expected "
                             f"{expected.as_list()}, got {actual}.")
        return new
    # Not known here: checked when run (contrib asserted through its own _assert_shape_op).
    with tf.name_scope(f"{new.op.name}/"):
        shape = (expected.as_list() if expected.is_fully_defined()
                 else tf.shape(old, name="expected_shape"))
        with tf.control_dependencies([v1.assert_equal(tf.shape(new), shape)]):
            checked = tf.identity(new)
    checked.set_shape(expected)
    return checked


def _state_class(fields):
    base = collections.namedtuple("AttentionWrapperState", fields)
    return type("AttentionWrapperState", (base, AttentionWrapperState),
                {"__slots__": (), "__module__": __name__})


_STATES = {False: _state_class(_FIELDS), True: _state_class(_FIELDS + ("attention_state",))}


def _compute_attention(attention_mechanism, cell_output, attention_state, attention_layer):
    """(attention, alignments, next attention state) of one mechanism: the context is
    ``alignments @ values``, through ``attention_layer`` with the cell output if given."""
    if releases.fact("seq2seq_attention") == "attention_state":
        alignments, next_attention_state = attention_mechanism(cell_output, attention_state)
    else:
        alignments = next_attention_state = attention_mechanism(cell_output, attention_state)
    expanded_alignments = tf.expand_dims(alignments, 1)    # [batch, 1, max_time]
    context = tf.matmul(expanded_alignments, attention_mechanism.values)
    context = tf.squeeze(context, [1])                     # [batch, memory depth]
    if attention_layer is None:
        return context, alignments, next_attention_state
    attention = attention_layer(tf.concat([cell_output, context], 1))
    return attention, alignments, next_attention_state


class AttentionWrapper(RNNCell):
    """``AttentionWrapper(cell, attention_mechanism, attention_layer_size=None,
    alignment_history=False, cell_input_fn=None, output_attention=True,
    initial_cell_state=None, name=None)``: each step feeds ``cell_input_fn(inputs,
    previous attention)`` (default: their concatenation) to ``cell``, scores the cell's
    output against the memory, and outputs the attention (or, without
    ``output_attention``, the cell's output).  A list of mechanisms from 1.3."""

    def __init__(self, cell, attention_mechanism, attention_layer_size=None,
                 alignment_history=False, cell_input_fn=None, output_attention=True,
                 initial_cell_state=None, name=None, attention_layer=None, attention_fn=None,
                 dtype=None):
        self._form = _form("AttentionWrapper")
        _refuse_later("wrapper", attention_layer=attention_layer, attention_fn=attention_fn,
                      dtype=dtype)
        if attention_layer is not None:  # a tf.layers.Layer, which tf1repro has not
            raise _unsupported("AttentionWrapper", "attention_layer", attention_layer)
        super().__init__(name=name, dtype=dtype)
        assert_like_rnncell("cell", cell)
        self._is_multi = (isinstance(attention_mechanism, (list, tuple))
                          and self._form != "single")
        mechanisms = tuple(attention_mechanism) if self._is_multi else (attention_mechanism,)
        for mechanism in mechanisms:
            if not isinstance(mechanism, AttentionMechanism):
                raise TypeError(self._mechanism_type_message(mechanism))
        if cell_input_fn is None:
            cell_input_fn = lambda inputs, attention: tf.concat([inputs, attention], -1)
        elif not callable(cell_input_fn):
            raise TypeError(f"cell_input_fn must be callable, saw type: "
                            f"{type(cell_input_fn).__name__}")
        if attention_layer_size is not None:
            sizes = (tuple(attention_layer_size)
                     if isinstance(attention_layer_size, (list, tuple)) else
                     (attention_layer_size,))
            if len(sizes) != len(mechanisms):
                raise ValueError("If provided, attention_layer_size must contain exactly one "
                                 "integer per attention_mechanism, saw: "
                                 f"{len(sizes)} vs {len(mechanisms)}")
            self._attention_layers = tuple(_Dense(size, "attention_layer") for size in sizes)
            self._attention_layer_size = sum(sizes)
        else:
            self._attention_layers = None
            self._attention_layer_size = sum(
                tf.compat.dimension_value(m.values.shape[-1]) for m in mechanisms)
        self._attention_fn = attention_fn or _compute_attention
        self._cell, self._attention_mechanisms = cell, mechanisms
        self._cell_input_fn, self._output_attention = cell_input_fn, output_attention
        self._alignment_history = alignment_history
        with v1.name_scope(name, "AttentionWrapperInit"):
            self._initial_cell_state = None
            if initial_cell_state is not None:
                state_batch_size = _static_or_shape(tf.nest.flatten(initial_cell_state)[-1], 0)
                message = (f"When constructing AttentionWrapper {self._base_name}: "
                           "Non-matching batch sizes between the memory (encoder output) and "
                           "initial_cell_state.  Are you using the BeamSearchDecoder?  You may "
                           "need to tile your initial state via the "
                           "tf.contrib.seq2seq.tile_batch function with argument "
                           "multiple=beam_width.")
                with tf.control_dependencies(self._batch_size_checks(state_batch_size,
                                                                     message)):
                    self._initial_cell_state = tf.nest.map_structure(
                        lambda s: tf.identity(s, name="check_initial_cell_state"),
                        initial_cell_state)

    def _mechanism_type_message(self, mechanism):
        saw = type(mechanism).__name__
        if self._form == "single":
            return f"attention_mechanism must be a AttentionMechanism, saw type: {saw}"
        if self._is_multi:
            return ("attention_mechanism must contain only instances of AttentionMechanism, "
                    f"saw type: {saw}")
        return ("attention_mechanism must be an AttentionMechanism or list of multiple "
                f"AttentionMechanism instances, saw type: {saw}")

    def _batch_size_checks(self, batch_size, message):
        return [v1.assert_equal(batch_size, m.batch_size, message=message)
                for m in self._attention_mechanisms]

    def _item_or_tuple(self, seq):
        items = tuple(seq)
        return items if self._is_multi else items[0]

    def _cells(self):
        return [self._cell]

    @property
    def output_size(self):
        return self._attention_layer_size if self._output_attention else self._cell.output_size

    def _state(self, **fields):
        if self._form != "attention_state":
            fields.pop("attention_state")
        return AttentionWrapperState(**fields)

    @property
    def state_size(self):
        mechanisms = self._attention_mechanisms
        shaped = self._alignment_history and releases.fact("seq2seq_alignment_history_shape")
        return self._state(
            cell_state=self._cell.state_size, time=tf.TensorShape([]),
            attention=self._attention_layer_size,
            alignments=self._item_or_tuple(m.alignments_size for m in mechanisms),
            attention_state=self._item_or_tuple(m.state_size for m in mechanisms),
            alignment_history=self._item_or_tuple(m.alignments_size if shaped else ()
                                                  for m in mechanisms))

    def zero_state(self, batch_size, dtype):
        """The cell's zero state (or ``initial_cell_state``), zero attention and
        alignments, time 0 and, with ``alignment_history``, an empty TensorArray each."""
        # 1.2-1.6 made the alignments after `time` and `attention`, 1.7+ before: the same
        # ops, so the same count before any variable made after.
        with v1.name_scope(type(self).__name__ + "ZeroState", values=[batch_size]):
            cell_state = (self._initial_cell_state if self._initial_cell_state is not None
                          else self._cell.zero_state(batch_size, dtype))
            message = (f"When calling zero_state of AttentionWrapper {self._base_name}: "
                       "Non-matching batch sizes between the memory (encoder output) and the "
                       "requested batch size.  Are you using the BeamSearchDecoder?  If so, "
                       "make sure your encoder output has been tiled to beam_width via "
                       "tf.contrib.seq2seq.tile_batch, and the batch_size= argument passed "
                       "to zero_state is batch_size * beam_width.")
            with tf.control_dependencies(self._batch_size_checks(batch_size, message)):
                cell_state = tf.nest.map_structure(
                    lambda s: tf.identity(s, name="checked_cell_state"), cell_state)
            mechanisms = self._attention_mechanisms
            alignments = [m.initial_alignments(batch_size, dtype) for m in mechanisms]
            time = arrays.zeros([], dtype=tf.int32)
            attention = zero_state_tensors(self._attention_layer_size, batch_size, dtype)
            attention_state = (self._item_or_tuple(m.initial_state(batch_size, dtype)
                                                   for m in mechanisms)
                               if self._form == "attention_state" else None)
            shaped = releases.fact("seq2seq_alignment_history_shape")
            history = self._item_or_tuple(
                tensor_array_ops.TensorArray(dtype, size=0, dynamic_size=True,
                                             element_shape=a.shape if shaped else None)
                if self._alignment_history else () for a in alignments)
            return self._state(cell_state=cell_state, time=time, attention=attention,
                               alignments=self._item_or_tuple(alignments),
                               attention_state=attention_state, alignment_history=history)

    def call(self, inputs, state):
        if self._form != "single" and not isinstance(state, AttentionWrapperState):
            raise TypeError("Expected state to be instance of AttentionWrapperState. "
                            f"Received type {type(state)} instead.")
        cell_inputs = self._cell_input_fn(inputs, state.attention)
        cell_output, next_cell_state = self._cell(cell_inputs, state.cell_state)
        message = (f"When applying AttentionWrapper {self._scope.name}: Non-matching batch "
                   "sizes between the memory (encoder output) and the query (decoder "
                   "output).  Are you using the BeamSearchDecoder?  You may need to tile your "
                   "memory input via the tf.contrib.seq2seq.tile_batch function with "
                   "argument multiple=beam_width.")
        with tf.control_dependencies(
                self._batch_size_checks(_static_or_shape(cell_output, 0), message)):
            cell_output = tf.identity(cell_output, name="checked_cell_output")
        # 1.2-1.5 kept each mechanism's state in `alignments`, 1.6+ in `attention_state`
        previous = (state.attention_state if self._form == "attention_state"
                    else state.alignments)
        previous, histories = ((previous, state.alignment_history) if self._is_multi
                               else ([previous], [state.alignment_history]))
        attentions, all_alignments, next_states, next_histories = [], [], [], []
        for i, mechanism in enumerate(self._attention_mechanisms):
            attention, alignments, next_attention_state = self._attention_fn(
                mechanism, cell_output, previous[i],
                self._attention_layers[i] if self._attention_layers else None)
            next_histories.append(histories[i].write(state.time, alignments)
                                  if self._alignment_history else ())
            attentions.append(attention)
            all_alignments.append(alignments)
            next_states.append(next_attention_state)
        # 1.3+ concatenate the attentions, even the one of a single mechanism
        attention = attentions[0] if self._form == "single" else tf.concat(attentions, 1)
        next_state = self._state(
            time=state.time + 1, cell_state=next_cell_state, attention=attention,
            attention_state=self._item_or_tuple(next_states),
            alignments=self._item_or_tuple(all_alignments),
            alignment_history=self._item_or_tuple(next_histories))
        return (attention if self._output_attention else cell_output), next_state


__all__ = ["AttentionMechanism", "AttentionWrapper", "AttentionWrapperState",
           "BahdanauAttention", "LuongAttention", "hardmax", "safe_cumprod"]
