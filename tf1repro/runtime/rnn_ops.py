"""The ops an RNN cell builds that changed between TF 1.x releases: its zero state and
when (and how) it makes its matrices.

    zeros = zero_state_tensors(LSTMStateTuple(5, 5), batch_size, tf.float32)
    gates = Affine(cell, "gates", bias_initializer=ones)      # in the cell's call:
    value = gates([inputs, state], rows, 2 * units)           # kernel, bias, MatMul, BiasAdd

Under TF 1.x's op-seed rule a kernel's initializer draws with the number of ops already
in the graph, so every op made before it counts: a zero state of 7 ops (1.2+) instead of
4 (1.0-1.1) moves every seed after it, and so does a bias made before or after the first
``MatMul``.  Which form a release built is in ``releases`` (``rnn_*`` rows), read from its
``python/ops/rnn_cell_impl.py`` (1.0-1.1: ``contrib/rnn/python/ops/core_rnn_cell_impl.py``).
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tf1repro.runtime import arrays, releases


def _part(value):
    """``_concat``'s view of one side: (tensor or None, static dims or None)."""
    if isinstance(value, tf.Tensor):
        static = tf.get_static_value(value)
        if static is not None:
            static = [int(static)] if getattr(static, "ndim", 0) == 0 else list(static)
        if value.shape.rank == 0:
            value = tf.expand_dims(value, 0)
        elif value.shape.rank != 1:
            raise ValueError(f"prefix tensor must be either a scalar or vector, "
                             f"but saw tensor: {value}")
        return value, static
    shape = tf.TensorShape(value)
    static = shape.as_list() if shape.rank is not None else None
    tensor = tf.constant(shape.as_list(), dtype=tf.int32) if shape.is_fully_defined() else None
    return tensor, static


def concat(prefix, suffix, static=False):
    """TF 1.2+'s ``_concat``: ``[prefix..., suffix...]`` as a tensor, or as a list when
    ``static``; either way it builds the same ``ExpandDims``/``Const`` ops first."""
    p, p_static = _part(prefix)
    s, s_static = _part(suffix)
    if static:
        shape = tf.TensorShape(p_static).concatenate(s_static)
        return shape.as_list() if shape.rank is not None else None
    if p is None or s is None:
        raise ValueError(f"Provided a prefix or suffix of None: {prefix} and {suffix}")
    return tf.concat((p, s), 0)


def zero_state_tensors(state_size, batch_size, dtype):
    """Zeros ``[batch_size, s]`` for each ``s`` in ``state_size``, built as the release did
    (``rnn_zero_state``): 1.0-1.1 ``stack`` + ``zeros``; 1.2-1.3 the shape, its static
    twin, then ``zeros``; 1.4+ the shape, ``zeros``, then the static twin (whose
    ``ExpandDims_1``/``Const_1`` are in the graph though only their values are used)."""
    form = releases.fact("rnn_zero_state")

    def one(size):
        if form == "stack":
            dims = tf.TensorShape(size).as_list()
            zeros = arrays.zeros(tf.stack([batch_size] + dims), dtype=dtype)
            zeros.set_shape([None] + dims)
            return zeros
        shape = concat(batch_size, size)
        if form == "static_first":
            static = concat(batch_size, size, static=True)
        zeros = arrays.zeros(shape, dtype=dtype)
        if form == "static_last":
            static = concat(batch_size, size, static=True)
        zeros.set_shape(static)
        return zeros

    return tf.nest.map_structure(one, state_size)


def zero_state_scope(cell, batch_size):
    """The name scope a cell's ``zero_state`` builds under (none in 1.0)."""
    if releases.fact("rnn_zero_state_scope"):
        return v1.name_scope(type(cell).__name__ + "ZeroState", values=[batch_size])
    return v1.name_scope(None)


class Affine:
    """``[args...] @ kernel + bias`` of one cell, its variables made when the release made
    them (``era``, a ``rnn_*_variables`` value):

    ``"build"``   (cells, 1.5+) in the cell's ``build``, before any op of its call
                  (``make``); the default bias ``zeros_initializer``;
    ``"class"``   (1.4's cells; ``OutputProjectionWrapper`` 1.4+: ``_Linear``) both at
                  the first call, then ``concat``, ``MatMul``, ``BiasAdd``;
    ``"linear"``  (1.0-1.3: ``_linear``) the kernel, ``concat``, ``MatMul``, only then the
                  bias, ``BiasAdd``.
    The last two take ``constant_initializer(0.0)`` for a bias by default (one ``Const``
    in every release).  ``scope``: the variable scope ``_linear`` ran in (``gates``),
    or, when built, the prefix of the variables' names (``gates/kernel``).
    """

    def __init__(self, cell, era, scope=None, kernel_initializer=None, bias_initializer=None,
                 bias=True):
        self.cell, self.era, self.scope = cell, era, scope
        self.kernel_initializer, self.bias_initializer = kernel_initializer, bias_initializer
        self.bias = bias
        self.kernel_var = self.bias_var = None

    def _bias_init(self):
        if self.bias_initializer is not None:
            return self.bias_initializer
        if self.era == "build":
            return v1.zeros_initializer()
        return v1.constant_initializer(0.0)

    def _make(self, what, rows, units, prefix, dtype):
        if what == "kernel":
            self.kernel_var = self.cell._variable(_name("weights", prefix), [rows, units],
                                                  self.kernel_initializer, dtype=dtype)
        else:
            self.bias_var = self.cell._variable(_name("biases", prefix), [units],
                                                self._bias_init(), dtype=dtype)

    def make(self, rows, units, dtype=None):
        """The variables now, in order (a cell's ``build``, 1.5+)."""
        self._make("kernel", rows, units, self.scope, dtype)
        if self.bias:
            self._make("biases", rows, units, self.scope, dtype)

    def __call__(self, args, units):
        if self.era == "build" or not self.scope:
            return self._apply(args, units)
        with v1.variable_scope(self.scope):
            return self._apply(args, units)

    def _apply(self, args, units):
        rows = sum(int(a.shape[-1]) for a in args)
        dtype = args[0].dtype
        if self.kernel_var is None:
            self._make("kernel", rows, units, None, dtype)
            if self.bias and self.era == "class":
                self._make("biases", rows, units, None, dtype)
        value = tf.matmul(args[0] if len(args) == 1 else tf.concat(args, 1), self.kernel_var)
        if not self.bias:
            return value
        if self.bias_var is None:
            self._make("biases", rows, units, None, dtype)
        return tf.nn.bias_add(value, self.bias_var)


def _name(kind, prefix=None):
    """A variable's name in the release: ``kernel``/``bias`` (1.2+) or ``weights``/``biases``
    (1.0-1.1, ``rnn_variable_names``), under ``prefix/`` if given."""
    weights, biases = releases.fact("rnn_variable_names")
    word = weights if kind == "weights" else biases
    return f"{prefix}/{word}" if prefix else word


def cell_era():
    """When this release's cells made their variables (``rnn_cell_variables``)."""
    return releases.fact("rnn_cell_variables")
