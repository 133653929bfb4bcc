"""``zeros``, ``ones``, ``zeros_like``, ``ones_like`` as the chosen TF 1.x release built them.

    install()          # tf1repro.tf1 does this on import: array_ops.zeros/ones follow the release

How many ops a static-shaped ``zeros``/``ones`` makes changed twice (each
release's ``python/ops/array_ops.py``; research report "core", section 2):

    1.0-1.5   one Const named ``zeros`` (a shape given as a tensor: ``fill``)
    1.6-1.7   always ``zeros/shape_as_tensor``, ``zeros/Const``, ``zeros`` (Fill)
    1.8+      a Const when the shape has fewer than 1000 elements, else the Fill triple
              (TensorFlow 2.21's own rule)

Under TF 1.x's op-seed rule every extra op shifts the seed of every random op
after it, so a bias's zeros initializer decides the next layer's kernel.
``zeros_initializer``/``ones_initializer`` called ``constant_op.constant`` in
1.0 and 1.1 (one op named ``Const``: ``bias/Initializer/Const``) and
``array_ops.zeros``/``ones`` from 1.2 (``python/ops/init_ops.py``, fact
``zeros_initializer``).
``zeros_initializer``/``ones_initializer`` and ``zeros_like`` reach these
functions through the ``array_ops`` module, so replacing its attributes is
enough.  ``ones_like`` names its shape ``ones_like/Shape`` as every 1.x did
(TensorFlow 2.21: ``ones_like/Shape/shape_as_tensor``).
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf

from tensorflow.python.framework import constant_op, dtypes, ops, tensor_shape
from tensorflow.python.ops import array_ops, init_ops

from tf1repro.runtime import releases

_tf2 = {name: getattr(array_ops, name) for name in ("zeros", "ones", "ones_like_impl")}
_tf2_init = {cls: cls.__call__ for cls in (init_ops.Zeros, init_ops.Ones)}


def _zero(dtype):
    if dtype == dtypes.bool:
        return False
    if dtype == dtypes.string:
        return ""
    return 0


def _one(dtype):
    return True if dtype == dtypes.bool else 1


def _filled(kind, value_of, shape, dtype, name, layout):
    """``zeros``/``ones`` (``kind``) for the current release."""
    rule = releases.fact("zeros")
    if rule == "const_if_small" or layout is not None or tf.executing_eagerly() \
            or dtypes.as_dtype(dtype).is_quantized:
        return _tf2[kind](shape, dtype=dtype, name=name, layout=layout)
    dtype = dtypes.as_dtype(dtype).base_dtype
    value = value_of(dtype)
    with ops.name_scope(name, kind, [shape]) as name:
        if rule == "const":  # 1.0-1.5: tensor_shape.as_shape, then one Const
            static = None
            if not isinstance(shape, tf.Tensor):
                try:
                    static = tensor_shape.as_shape(shape)
                except (TypeError, ValueError):
                    static = None
            if static is not None and static.is_fully_defined():
                output = constant_op.constant(value, shape=static.as_list(), dtype=dtype,
                                              name=name)
            else:
                shape = ops.convert_to_tensor(shape, dtype=dtypes.int32, name="shape")
                output = array_ops.fill(shape, constant_op.constant(value, dtype=dtype),
                                        name=name)
        else:  # "fill", 1.6-1.7: always shape_as_tensor, Const, Fill
            if not isinstance(shape, tf.Tensor):
                try:
                    shape = constant_op._tensor_shape_tensor_conversion_function(
                        tensor_shape.TensorShape(shape))
                except (TypeError, ValueError):
                    shape = ops.convert_to_tensor(shape, dtype=dtypes.int32)
            if not shape._shape_tuple():
                shape = array_ops.reshape(shape, [-1])
            output = array_ops.fill(shape, constant_op.constant(value, dtype=dtype), name=name)
    return output


def zeros(shape, dtype=dtypes.float32, name=None, layout=None):
    """``tf.zeros`` of the release chosen by ``$TF1REPRO_TF1_RELEASE``."""
    output = _filled("zeros", _zero, shape, dtype, name, layout)
    output._is_zeros_tensor = True  # as TensorFlow 2.21's zeros tags it
    return output


def ones(shape, dtype=dtypes.float32, name=None, layout=None):
    """``tf.ones`` of the release chosen by ``$TF1REPRO_TF1_RELEASE``."""
    return _filled("ones", _one, shape, dtype, name, layout)


def ones_like_impl(tensor, dtype, name, optimize=True, layout=None):
    """TF 1.x's ``ones_like``: ``ones_like/Shape`` (an int32 Const for a known shape,
    else a Shape op), then ``ones`` of it (``ones_like/Const``, ``ones_like`` Fill)."""
    if layout is not None or tf.executing_eagerly():
        return _tf2["ones_like_impl"](tensor, dtype, name, optimize=optimize, layout=layout)
    with ops.name_scope(name, "ones_like", [tensor]) as name:
        tensor = ops.convert_to_tensor(tensor, name="tensor")
        ones_shape = array_ops.shape_internal(tensor, optimize=optimize, out_type=dtypes.int32)
        if dtype is None:
            dtype = tensor.dtype
        ret = array_ops.ones(ones_shape, dtype=dtype, name=name)
        ret.set_shape(tensor.get_shape())
        return ret


def ones_like(tensor, dtype=None, name=None, optimize=True):
    """``tf.ones_like`` (TF 1.x's op names)."""
    return ones_like_impl(tensor, dtype, name, optimize)


def zeros_like(tensor, dtype=None, name=None, optimize=True):
    """``tf.zeros_like``: TensorFlow's, which builds ``zeros`` under ``zeros_like``."""
    return array_ops.zeros_like(tensor, dtype=dtype, name=name, optimize=optimize)


def _initializer_call(cls, value_of):
    def call(self, shape, dtype=None, partition_info=None):
        if releases.fact("zeros_initializer") == "zeros":
            return _tf2_init[cls](self, shape, dtype, partition_info)
        dtype = dtypes.as_dtype(self.dtype if dtype is None else dtype)
        return constant_op.constant(value_of(dtype), dtype=dtype, shape=shape)  # "Const"
    return call


def install():
    """Make ``array_ops.zeros``/``ones``/``ones_like_impl`` the release's (``tf1repro.tf1``
    calls this on import; ``zeros_initializer``, ``zeros_like`` and TensorFlow's own
    callers look them up there), and ``zeros_initializer``/``ones_initializer`` 1.0's
    and 1.1's single ``Const`` in those releases."""
    array_ops.zeros = zeros
    array_ops.ones = ones
    array_ops.ones_like_impl = ones_like_impl
    init_ops.Zeros.__call__ = _initializer_call(init_ops.Zeros, _zero)
    init_ops.Ones.__call__ = _initializer_call(init_ops.Ones, _one)
