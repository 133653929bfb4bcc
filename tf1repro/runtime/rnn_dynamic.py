"""``tf.nn.dynamic_rnn`` as each TF 1.x release built it.

    outputs, state = dynamic_rnn(cell, X, dtype=tf.float32)   # X: [batch, time, depth]

TF 2.21's ``tf.compat.v1.nn.dynamic_rnn`` is 1.6-1.15's code, op for op (the handson-ml
notebook's saved 1.12 graph agrees with it), and is used as it is for those releases.
Before 1.6 the loop was built otherwise (each release's ``python/ops/rnn.py``;
``releases`` rows ``rnn_dynamic_*``), and a seeded program sees it: the cell's kernels
are made inside the loop's body, after every op of its preamble, so an op more or less
there moves every seed.

- ``rnn_dynamic_loop``: 1.0-1.4 ``while time < time_steps`` and no ``maximum_iterations``
  (no iteration counter, ``LogicalAnd``, ``Maximum``/``Minimum``); 1.5 adds
  ``maximum_iterations=time_steps`` (the counter) but no bound; 1.6+ the bound
  ``min(time_steps, max(1, max_sequence_length))``.
- ``rnn_dynamic_batch``: 1.0-1.2 take the batch size from ``shape(input)[1]`` (one
  ``Shape`` for both time and batch in the loop), then slice ``[1]`` once more per input
  to compare static shapes (4 ops each); 1.3+ from the static shape when known.
- ``rnn_shape_prefix``: 1.0-1.1 shape the zero output and the outputs with
  ``_state_size_with_prefix`` (plain Python); 1.2+ with ``_concat``, whose ``Const``
  is built even for the static shape the outputs are given.
- ``rnn_dynamic_transpose``: 1.0-1.1 ``transpose(x, [1, 0, 2])``; 1.2-1.4
  ``_transpose_batch_time`` before entering the ``rnn`` scope; 1.5+ inside it.
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tensorflow.python.ops import tensor_array_ops
from tensorflow.python.ops import rnn as _rnn

from tf1repro.runtime import arrays, releases
from tf1repro.runtime.rnn_base import assert_like_rnncell
from tf1repro.runtime.rnn_ops import concat


def _transpose(x, form):
    if form == "perm":  # 1.0-1.1: rank 3 only
        return tf.transpose(x, [1, 0, 2])
    return _rnn._transpose_batch_time(x)


def _batch_size(flat_input, form):
    if form == "shape":
        input_shape = [tf.shape(x) for x in flat_input]
        batch_size = input_shape[0][1]
        for shape in input_shape:  # 1.0-1.2 slice again, only to compare static shapes
            if shape[1].shape != batch_size.shape:
                raise ValueError("All inputs should have the same batch size")
        return batch_size
    return _rnn._best_effort_input_batch_size(flat_input)


def dynamic_rnn(cell, inputs, sequence_length=None, initial_state=None, dtype=None,
                parallel_iterations=None, swap_memory=False, time_major=False, scope=None):
    """``tf.nn.dynamic_rnn``: the release's graph (module docstring)."""
    if releases.fact("rnn_dynamic_loop") == "bounded":
        return v1.nn.dynamic_rnn(cell, inputs, sequence_length, initial_state, dtype,
                                 parallel_iterations, swap_memory, time_major, scope)
    assert_like_rnncell("cell", cell)
    transpose = releases.fact("rnn_dynamic_transpose")
    flat_input = tf.nest.flatten(inputs)
    parallel_iterations = parallel_iterations or 32
    if transpose != "inside":
        flat_input, sequence_length = _prepare(flat_input, sequence_length, time_major,
                                               transpose)
    with v1.variable_scope(scope or "rnn") as varscope:
        if varscope.caching_device is None:
            varscope.set_caching_device(lambda op: op.device)
        if transpose == "inside":
            flat_input, sequence_length = _prepare(flat_input, sequence_length, time_major,
                                                   transpose)
        batch_size = _batch_size(flat_input, releases.fact("rnn_dynamic_batch"))
        if initial_state is not None:
            state = initial_state
        else:
            if not dtype:
                raise ValueError("If there is no initial_state, you must give a dtype.")
            state = cell.zero_state(batch_size, dtype)
        if sequence_length is not None:
            with tf.control_dependencies([_assert_has_shape(sequence_length, [batch_size])]):
                sequence_length = tf.identity(sequence_length, name="CheckSeqLen")
        inputs = tf.nest.pack_sequence_as(inputs, flat_input)
        outputs, final_state = _loop(cell, inputs, state, parallel_iterations, swap_memory,
                                     sequence_length, dtype)
        if not time_major:
            outputs = tf.nest.map_structure(lambda x: _transpose(x, transpose), outputs)
        return outputs, final_state


def _prepare(flat_input, sequence_length, time_major, transpose):
    if not time_major:
        flat_input = [tf.convert_to_tensor(x) for x in flat_input]
        flat_input = tuple(_transpose(x, transpose) for x in flat_input)
    if sequence_length is not None:
        sequence_length = tf.cast(sequence_length, tf.int32, name="ToInt32")
        if sequence_length.shape.rank not in (None, 1):
            raise ValueError("sequence_length must be a vector of length batch_size, "
                             f"but saw shape: {sequence_length.shape}")
        sequence_length = tf.identity(sequence_length, name="sequence_length")
    return flat_input, sequence_length


def _assert_has_shape(x, shape):
    x_shape = tf.shape(x)
    packed_shape = tf.stack(shape)
    return v1.Assert(
        tf.reduce_all(tf.equal(x_shape, packed_shape)),
        [f"Expected shape for Tensor {x.name} is ", packed_shape, " but saw shape: ", x_shape])


def _loop(cell, inputs, state, parallel_iterations, swap_memory, sequence_length, dtype):
    """1.0-1.5's ``_dynamic_rnn_loop`` in graph mode."""
    flat_input = tf.nest.flatten(inputs)
    flat_output_size = tf.nest.flatten(cell.output_size)
    input_shape = tf.shape(flat_input[0])
    time_steps = input_shape[0]
    if releases.fact("rnn_dynamic_batch") == "shape":
        batch_size = input_shape[1]
    else:
        batch_size = _rnn._best_effort_input_batch_size(flat_input)
    got_shapes = tuple(x.shape.with_rank_at_least(3) for x in flat_input)
    const_time_steps, const_batch_size = got_shapes[0].as_list()[:2]
    for shape in got_shapes:
        if not shape[2:].is_fully_defined():
            raise ValueError("Input size (depth of inputs) must be accessible via shape "
                             "inference, but saw value None.")
    state_dtype = _rnn._infer_state_dtype(dtype, state)
    zero_output = tf.nest.pack_sequence_as(cell.output_size, [
        _zero_output(batch_size, size, state_dtype) for size in flat_output_size])
    if sequence_length is not None:
        min_sequence_length = tf.reduce_min(sequence_length)
        max_sequence_length = tf.reduce_max(sequence_length)
    time = tf.constant(0, dtype=tf.int32, name="time")
    with v1.name_scope("dynamic_rnn") as base_name:
        pass

    def make_ta(name, dtype, element_shape=None):
        return tensor_array_ops.TensorArray(dtype=dtype, size=time_steps,
                                            element_shape=element_shape,
                                            tensor_array_name=base_name + name)

    output_ta = tuple(make_ta(f"output_{i}", state_dtype) for i in range(len(flat_output_size)))
    input_ta = tuple(make_ta(f"input_{i}", x.dtype) for i, x in enumerate(flat_input))
    input_ta = tuple(ta.unstack(x) for ta, x in zip(input_ta, flat_input))

    def time_step(time, output_ta_t, state):
        input_t = tuple(ta.read(time) for ta in input_ta)
        for x, shape in zip(input_t, got_shapes):
            x.set_shape(shape[1:])
        input_t = tf.nest.pack_sequence_as(inputs, input_t)
        call_cell = lambda: cell(input_t, state)  # noqa: E731
        if sequence_length is not None:
            output, new_state = _rnn._rnn_step(
                time=time, sequence_length=sequence_length,
                min_sequence_length=min_sequence_length,
                max_sequence_length=max_sequence_length, zero_output=zero_output,
                state=state, call_cell=call_cell, state_size=cell.state_size,
                skip_conditionals=True)
        else:
            output, new_state = call_cell()
        output_ta_t = tuple(ta.write(time, out)
                            for ta, out in zip(output_ta_t, tf.nest.flatten(output)))
        return time + 1, output_ta_t, new_state

    # 1.5: the counter of maximum_iterations, compared first; before, no counter at all.
    maximum = time_steps if releases.fact("rnn_dynamic_loop") == "max_iterations" else None
    _, final_ta, final_state = v1.while_loop(
        cond=lambda time, *_: time < time_steps, body=time_step,
        loop_vars=(time, output_ta, state), parallel_iterations=parallel_iterations,
        swap_memory=swap_memory, maximum_iterations=maximum)
    final_outputs = tuple(ta.stack() for ta in final_ta)
    for output, size in zip(final_outputs, flat_output_size):
        prefix = [const_time_steps, const_batch_size]
        if releases.fact("rnn_shape_prefix") == "prefix":  # no op
            output.set_shape(prefix + tf.TensorShape(size).as_list())
        else:
            output.set_shape(concat(prefix, size, static=True))
    return tf.nest.pack_sequence_as(cell.output_size, final_outputs), final_state


def _zero_output(batch_size, size, dtype):
    # 1.0-1.1: a list stacked; 1.2+: _concat (whose stack of a tensor adds no op).
    if releases.fact("rnn_shape_prefix") == "prefix":
        shape = tf.stack([batch_size] + tf.TensorShape(size).as_list())
    else:
        shape = concat(batch_size, size)
    return arrays.zeros(shape, dtype=dtype)


def bidirectional_dynamic_rnn(cell_fw, cell_bw, inputs, sequence_length=None,
                              initial_state_fw=None, initial_state_bw=None, dtype=None,
                              parallel_iterations=None, swap_memory=False, time_major=False,
                              scope=None):
    """``tf.nn.bidirectional_dynamic_rnn``: ``dynamic_rnn`` (the release's) forward in
    ``fw/``, then over the time-reversed inputs in ``bw/``, its outputs reversed back
    (1.2-1.15's ``rnn.py``, the same ops in each)."""
    assert_like_rnncell("cell_fw", cell_fw)
    assert_like_rnncell("cell_bw", cell_bw)
    time_axis, batch_axis = (0, 1) if time_major else (1, 0)

    def reverse(x):
        if sequence_length is not None:
            return tf.reverse_sequence(x, sequence_length, seq_axis=time_axis,
                                       batch_axis=batch_axis)
        return tf.reverse(x, axis=[time_axis])

    with v1.variable_scope(scope or "bidirectional_rnn"):
        with v1.variable_scope("fw") as fw_scope:
            output_fw, state_fw = dynamic_rnn(
                cell_fw, inputs, sequence_length, initial_state_fw, dtype,
                parallel_iterations, swap_memory, time_major, scope=fw_scope)
        with v1.variable_scope("bw") as bw_scope:
            tmp, state_bw = dynamic_rnn(
                cell_bw, tf.nest.map_structure(reverse, inputs), sequence_length,
                initial_state_bw, dtype, parallel_iterations, swap_memory, time_major,
                scope=bw_scope)
    return (output_fw, reverse(tmp)), (state_fw, state_bw)
