"""``tf.random_uniform`` and ``tf.random_uniform_initializer`` with TF 1.x's ops.

    u = random_uniform([3])     # random_uniform/shape, /min, /max, /RandomUniform, /sub, /mul, random_uniform

Every TF 1.x release (1.0 to 1.15, ``python/ops/random_ops.py``) built the same
sequence for a float ``random_uniform``: ``shape``, ``min``, ``max``, then the
op seed (TF 1.x's rule: the number of ops so far), ``RandomUniform``, ``sub``,
``mul`` and an ``Add`` named after the scope.  TensorFlow 2.21 skips ``min``,
``max``, ``sub``, ``mul`` and ``add`` when ``minval`` is the int 0 and ``maxval``
the int 1 (or None): three ops fewer for ``tf.random_uniform(shape)`` and a
different seed for every later random op.
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import v1

from tensorflow.python.framework import dtypes, ops, random_seed
from tensorflow.python.ops import gen_math_ops, gen_random_ops, init_ops, shape_util


def random_uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None):
    """``tf.random_uniform`` as TF 1.x built it (the same ops for any bounds)."""
    dtype = dtypes.as_dtype(dtype)
    if dtype.is_integer:  # shape, min, max, RandomUniformInt: TensorFlow 2.21 builds the same
        return v1.random_uniform(shape, minval, maxval, dtype, seed, name)
    if maxval is None:
        maxval = 1
    with ops.name_scope(name, "random_uniform", [shape, minval, maxval]) as name:
        shape = shape_util.shape_tensor(shape)
        minval = ops.convert_to_tensor(minval, dtype=dtype, name="min")
        maxval = ops.convert_to_tensor(maxval, dtype=dtype, name="max")
        seed1, seed2 = random_seed.get_seed(seed)  # after shape, min, max: TF 1.x's order
        rnd = gen_random_ops.random_uniform(shape, dtype, seed=seed1, seed2=seed2)
        result = gen_math_ops.add(rnd * (maxval - minval), minval, name=name)  # type Add, as 1.x
        shape_util.maybe_set_static_shape(result, shape)
        return result


class RandomUniform(init_ops.RandomUniform):
    """``tf.random_uniform_initializer``: TF 1.x's defaults (``minval=0``, ``maxval=None``)
    and ops (``random_uniform`` above)."""

    def __init__(self, minval=0, maxval=None, seed=None, dtype=dtypes.float32):
        super().__init__(minval=minval, maxval=maxval, seed=seed, dtype=dtype)

    def __call__(self, shape, dtype=None, partition_info=None):
        if dtype is None:
            dtype = self.dtype
        return random_uniform(shape, self.minval, self.maxval, dtype, seed=self.seed)


random_uniform_initializer = RandomUniform
