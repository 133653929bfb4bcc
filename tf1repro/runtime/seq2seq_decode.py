"""``tf.contrib.seq2seq``'s decoding of TF 1.2-1.15: ``TrainingHelper``,
``GreedyEmbeddingHelper``, ``BasicDecoder`` and ``dynamic_decode``.

    helper = TrainingHelper(decoder_inputs, sequence_length)        # teacher forcing
    decoder = BasicDecoder(cell, helper, cell.zero_state(batch, tf.float32))
    (outputs, sample_ids), state, lengths = dynamic_decode(decoder)[0], ...

Read in ``contrib/seq2seq/python/ops/{helper,basic_decoder,decoder}.py``: the helpers and
the decoder build the same ops from 1.2 to 1.15; ``dynamic_decode`` stops at
``maximum_iterations`` through ``finished`` until 1.13 and through the while loop's own
counter from 1.14, which also counted every unfinished step into ``sequence_lengths``
(``releases`` row ``seq2seq_dynamic_decode``).  1.0 had none of this and 1.1's was not read.
"""

import collections

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.ops import rnn as _rnn
from tensorflow.python.ops import tensor_array_ops

from tf1repro.errors import UserError
from tf1repro.runtime import arrays, releases
from tf1repro.runtime.rnn_base import assert_like_rnncell
from tf1repro.runtime.rnn_ops import zero_state_tensors


def _unstack_ta(inp):
    return tensor_array_ops.TensorArray(dtype=inp.dtype, size=tf.shape(inp)[0],
                                        element_shape=inp.shape[1:]).unstack(inp)


class Helper:
    """What ``BasicDecoder`` asks of a helper: ``batch_size``, ``sample_ids_shape``/``dtype``,
    ``initialize()``, ``sample(time, outputs, state)``, ``next_inputs(...)``."""

    sample_ids_shape = property(lambda self: tf.TensorShape([]))
    sample_ids_dtype = property(lambda self: tf.int32)
    batch_size = property(lambda self: self._batch_size)


class TrainingHelper(Helper):
    """Feeds ``inputs[:, t]`` at step ``t`` (teacher forcing); finished after
    ``sequence_length`` steps; sample ids are the argmax of the outputs."""

    def __init__(self, inputs, sequence_length, time_major=False, name=None):
        with v1.name_scope(name, "TrainingHelper", [inputs, sequence_length]):
            inputs = tf.convert_to_tensor(inputs, name="inputs")
            self._inputs = inputs
            if not time_major:
                inputs = tf.nest.map_structure(_rnn._transpose_batch_time, inputs)
            self._input_tas = tf.nest.map_structure(_unstack_ta, inputs)
            self._sequence_length = tf.convert_to_tensor(sequence_length,
                                                         name="sequence_length")
            if self._sequence_length.shape.rank != 1:
                raise ValueError("Expected sequence_length to be a vector, but received "
                                 f"shape: {self._sequence_length.shape}")
            self._zero_inputs = tf.nest.map_structure(
                lambda inp: arrays.zeros_like(inp[0, :]), inputs)
            self._batch_size = tf.size(sequence_length)

    inputs = property(lambda self: self._inputs)
    sequence_length = property(lambda self: self._sequence_length)

    def initialize(self, name=None):
        with v1.name_scope(name, "TrainingHelperInitialize"):
            finished = tf.equal(0, self._sequence_length)
            all_finished = tf.reduce_all(finished)
            next_inputs = v1.cond(
                all_finished, lambda: self._zero_inputs,
                lambda: tf.nest.map_structure(lambda inp: inp.read(0), self._input_tas))
            return finished, next_inputs

    def sample(self, time, outputs, name=None, **unused_kwargs):
        with v1.name_scope(name, "TrainingHelperSample", [time, outputs]):
            return tf.cast(tf.argmax(outputs, axis=-1), tf.int32)

    def next_inputs(self, time, outputs, state, name=None, **unused_kwargs):
        with v1.name_scope(name, "TrainingHelperNextInputs", [time, outputs, state]):
            next_time = time + 1
            finished = next_time >= self._sequence_length
            all_finished = tf.reduce_all(finished)
            next_inputs = v1.cond(
                all_finished, lambda: self._zero_inputs,
                lambda: tf.nest.map_structure(lambda inp: inp.read(next_time),
                                              self._input_tas))
            return finished, next_inputs, state


class GreedyEmbeddingHelper(Helper):
    """Feeds the embedding of the previous step's argmax, from ``start_tokens``;
    a sequence is finished when it emits ``end_token``."""

    def __init__(self, embedding, start_tokens, end_token):
        self._embedding_fn = (embedding if callable(embedding)
                              else lambda ids: v1.nn.embedding_lookup(embedding, ids))
        self._start_tokens = tf.convert_to_tensor(start_tokens, dtype=tf.int32,
                                                  name="start_tokens")
        self._end_token = tf.convert_to_tensor(end_token, dtype=tf.int32, name="end_token")
        if self._start_tokens.shape.rank != 1:
            raise ValueError("start_tokens must be a vector")
        self._batch_size = tf.size(start_tokens)
        if self._end_token.shape.rank != 0:
            raise ValueError("end_token must be a scalar")
        self._start_inputs = self._embedding_fn(self._start_tokens)

    def initialize(self, name=None):
        return tf.tile([False], [self._batch_size]), self._start_inputs

    def sample(self, time, outputs, state, name=None):
        if not isinstance(outputs, tf.Tensor):
            raise TypeError(f"Expected outputs to be a single Tensor, got: {type(outputs)}")
        return tf.argmax(outputs, axis=-1, output_type=tf.int32)

    def next_inputs(self, time, outputs, state, sample_ids, name=None):
        finished = tf.equal(sample_ids, self._end_token)
        all_finished = tf.reduce_all(finished)
        next_inputs = v1.cond(all_finished, lambda: self._start_inputs,
                              lambda: self._embedding_fn(sample_ids))
        return finished, next_inputs, state


class BasicDecoderOutput(collections.namedtuple("BasicDecoderOutput",
                                                ("rnn_output", "sample_id"))):
    pass


class BasicDecoder:
    """``BasicDecoder(cell, helper, initial_state, output_layer=None)``: one cell step per
    decoding step, its output through ``output_layer`` (anything with
    ``compute_output_shape`` and ``__call__``), sampled and fed on by ``helper``."""

    def __init__(self, cell, helper, initial_state, output_layer=None):
        assert_like_rnncell("cell", cell)
        if not isinstance(helper, Helper):
            raise TypeError(f"helper must be a Helper, received: {type(helper)}")
        if output_layer is not None and not hasattr(output_layer, "compute_output_shape"):
            raise TypeError(f"output_layer must be a Layer, received: {type(output_layer)}")
        self._cell, self._helper = cell, helper
        self._initial_state, self._output_layer = initial_state, output_layer

    batch_size = property(lambda self: self._helper.batch_size)
    tracks_own_finished = False

    def _rnn_output_size(self):
        size = self._cell.output_size
        if self._output_layer is None:
            return size
        shapes = tf.nest.map_structure(lambda s: tf.TensorShape([None]).concatenate(s), size)
        return tf.nest.map_structure(lambda s: s[1:],
                                     self._output_layer.compute_output_shape(shapes))

    @property
    def output_size(self):
        return BasicDecoderOutput(self._rnn_output_size(), self._helper.sample_ids_shape)

    @property
    def output_dtype(self):
        dtype = tf.nest.flatten(self._initial_state)[0].dtype
        return BasicDecoderOutput(tf.nest.map_structure(lambda _: dtype,
                                                        self._rnn_output_size()),
                                  self._helper.sample_ids_dtype)

    def initialize(self, name=None):
        return self._helper.initialize() + (self._initial_state,)

    def step(self, time, inputs, state, name=None):
        with v1.name_scope(name, "BasicDecoderStep", (time, inputs, state)):
            cell_outputs, cell_state = self._cell(inputs, state)
            if self._output_layer is not None:
                cell_outputs = self._output_layer(cell_outputs)
            sample_ids = self._helper.sample(time=time, outputs=cell_outputs, state=cell_state)
            finished, next_inputs, next_state = self._helper.next_inputs(
                time=time, outputs=cell_outputs, state=cell_state, sample_ids=sample_ids)
        return BasicDecoderOutput(cell_outputs, sample_ids), next_state, next_inputs, finished


def _shape(batch_size, from_shape):
    if not isinstance(from_shape, tf.TensorShape) or from_shape.rank == 0:
        return tf.TensorShape(None)
    batch = tf.get_static_value(tf.convert_to_tensor(batch_size, name="batch_size"))
    return tf.TensorShape([batch]).concatenate(from_shape)


def dynamic_decode(decoder, output_time_major=False, impute_finished=False,
                   maximum_iterations=None, parallel_iterations=32, swap_memory=False,
                   scope=None):
    """``(final_outputs, final_state, final_sequence_lengths)``: ``decoder.step`` in a
    while loop until every sequence is finished (module docstring for the releases)."""
    form = releases.fact("seq2seq_dynamic_decode")
    if form is None:
        raise UserError(f"tf.contrib.seq2seq.dynamic_decode of TF {releases.current().name} "
                        "is not reproduced (read for 1.2-1.15)")
    if not isinstance(decoder, BasicDecoder):
        raise TypeError(f"Expected decoder to be type Decoder, but saw: {type(decoder)}")
    with v1.variable_scope(scope, "decoder") as varscope:
        if varscope.caching_device is None:
            varscope.set_caching_device(lambda op: op.device)
        if maximum_iterations is not None:
            maximum_iterations = tf.convert_to_tensor(maximum_iterations, dtype=tf.int32,
                                                      name="maximum_iterations")
            if maximum_iterations.shape.rank != 0:
                raise ValueError("maximum_iterations must be a scalar")
        initial_finished, initial_inputs, initial_state = decoder.initialize()
        zero_outputs = tf.nest.map_structure(
            lambda s, d: zero_state_tensors(s, decoder.batch_size, d),
            decoder.output_size, decoder.output_dtype)
        if maximum_iterations is not None:
            initial_finished = tf.logical_or(initial_finished, 0 >= maximum_iterations)
        initial_sequence_lengths = arrays.zeros_like(initial_finished, dtype=tf.int32)
        initial_time = tf.constant(0, dtype=tf.int32)
        initial_outputs_ta = tf.nest.map_structure(
            lambda s, d: tensor_array_ops.TensorArray(
                dtype=d, size=0, dynamic_size=True,
                element_shape=_shape(decoder.batch_size, s)),
            decoder.output_size, decoder.output_dtype)

        def condition(unused_time, unused_outputs_ta, unused_state, unused_inputs, finished,
                      unused_sequence_lengths):
            return tf.logical_not(tf.reduce_all(finished))

        def body(time, outputs_ta, state, inputs, finished, sequence_lengths):
            next_outputs, decoder_state, next_inputs, decoder_finished = decoder.step(
                time, inputs, state)
            next_finished = tf.logical_or(decoder_finished, finished)
            if form == "finished" and maximum_iterations is not None:
                next_finished = tf.logical_or(next_finished, time + 1 >= maximum_iterations)
            newly = (tf.logical_and(tf.logical_not(finished), next_finished)
                     if form == "finished" else tf.logical_not(finished))
            next_sequence_lengths = v1.where(
                newly, tf.fill(tf.shape(sequence_lengths), time + 1), sequence_lengths)
            emit = (tf.nest.map_structure(lambda out, zero: v1.where(finished, zero, out),
                                          next_outputs, zero_outputs)
                    if impute_finished else next_outputs)

            def maybe_copy_state(new, cur):
                if isinstance(cur, tf.TensorArray):
                    return new
                new.set_shape(cur.shape)
                return new if new.shape.rank == 0 else v1.where(finished, cur, new)

            next_state = (tf.nest.map_structure(maybe_copy_state, decoder_state, state)
                          if impute_finished else decoder_state)
            outputs_ta = tf.nest.map_structure(lambda ta, out: ta.write(time, out),
                                               outputs_ta, emit)
            return (time + 1, outputs_ta, next_state, next_inputs, next_finished,
                    next_sequence_lengths)

        loop_vars = (initial_time, initial_outputs_ta, initial_state, initial_inputs,
                     initial_finished, initial_sequence_lengths)
        # 1.14+: a tuple, and the loop counts (its counter is paired with the tuple)
        loop_maximum = {} if form == "finished" else {"maximum_iterations": maximum_iterations}
        res = v1.while_loop(condition, body,
                            loop_vars=list(loop_vars) if form == "finished" else loop_vars,
                            parallel_iterations=parallel_iterations, swap_memory=swap_memory,
                            **loop_maximum)
        final_outputs = tf.nest.map_structure(lambda ta: ta.stack(), res[1])
        if not output_time_major:
            final_outputs = tf.nest.map_structure(_rnn._transpose_batch_time, final_outputs)
    return final_outputs, res[2], res[5]
