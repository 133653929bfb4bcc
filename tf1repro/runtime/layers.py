"""The TF 1.x layers of the notebook's era, on ``tf.compat.v1`` primitives.

    h = dense(X, 300, activation=tf.nn.elu, kernel_initializer=variance_scaling_initializer())
    z = batch_normalization(h, training=training, momentum=0.9)
    d = dropout(z, rate=0.5, training=training)

``tf.compat.v1.layers`` is gone under Keras 3, and the ``tf-keras`` version
creates ``gamma`` before ``beta``; these rebuild TF 1.x's ``tf.layers`` and
``tf.contrib.layers`` pieces with their argument lists, defaults, variable
names and creation order, collections and arithmetic, using only core
TensorFlow (``variable_scope``, ``get_variable``, ``tf.nn``).  The package's
own graphs (``tf1repro.cells.graph``) and the ``tf1repro.tf1`` facade both use
them: there is one implementation of each.

Arguments that TF 1.x accepted but that are not implemented here
(``renorm=True``, ``virtual_batch_size``, ``adjustment``) raise
``Unsupported`` naming the argument; they are never silently ignored.
"""

from tf1repro.runtime.base import (Unsupported, _activity_regularization, _layer_scope,  # noqa: F401
                                   _smart_cond, _variable)
from tf1repro.runtime import releases
from tf1repro.runtime.convolutional import average_pooling2d, conv2d, max_pooling2d  # noqa: F401
from tf1repro.runtime.initializers import (VarianceScaling, l1_regularizer,  # noqa: F401
                                           l2_regularizer, variance_scaling_initializer,
                                           xavier_initializer)
from tf1repro.runtime.dropout import nn_dropout
from tf1repro.runtime.normalization import batch_normalization  # noqa: F401
from tf1repro.tfcompat import tf, v1


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=v1.zeros_initializer(), kernel_regularizer=None,
          bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
          bias_constraint=None, trainable=True, name=None, reuse=None):
    """``tf.layers.dense``: ``activation(inputs @ kernel + bias)``.

    Variables ``<name>/kernel`` [in, units] (``get_variable``'s default
    initializer, glorot uniform, unless told otherwise) and ``<name>/bias``
    [units] (zeros).  Inputs of rank above 2 are multiplied along their last
    axis: 1.0 reshaped them to 2-D and back (``unstack``/``stack`` of their shape),
    1.1+ used ``tensordot`` (``python/layers/core.py`` ``Dense.call``, fact ``dense_rank3``).
    """
    inputs = tf.convert_to_tensor(inputs)
    n_in = inputs.shape[-1]
    if n_in is None:
        raise ValueError("The last dimension of the inputs to `Dense` should be defined. "
                         "Found `None`.")
    units = int(units)
    dtype = inputs.dtype.base_dtype
    with _layer_scope(name, "dense", reuse):
        kernel = _variable("kernel", [int(n_in), units], dtype, kernel_initializer,
                           kernel_regularizer, kernel_constraint, trainable)
        bias = (_variable("bias", [units], dtype, bias_initializer, bias_regularizer,
                          bias_constraint, trainable) if use_bias else None)
        rank = inputs.shape.rank
        flat = rank is not None and rank > 2 and releases.fact("dense_rank3") == "reshape"
        if flat:  # 1.0: [-1, n_in] @ kernel, then back to the input's runtime shape
            sizes = tf.unstack(tf.shape(inputs))
            sizes[-1] = units
            out_shape = tf.stack(sizes)
            outputs = tf.matmul(tf.reshape(inputs, [-1, int(n_in)]), kernel)
        elif rank is not None and rank > 2:
            outputs = tf.tensordot(inputs, kernel, [[rank - 1], [0]])  # [..., units]
            outputs.set_shape(inputs.shape[:-1].concatenate([units]))
        else:
            outputs = tf.matmul(inputs, kernel)  # [batch, units]
        if bias is not None:
            outputs = tf.nn.bias_add(outputs, bias)
        if flat:
            outputs = tf.reshape(outputs, out_shape)
            outputs.set_shape(inputs.shape[:-1].concatenate([units]))
        if activation is not None:
            outputs = activation(outputs)
    _activity_regularization(outputs, activity_regularizer)
    return outputs


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """``tf.layers.dropout``: drops a fraction ``rate`` (not a keep probability) and
    scales the rest by 1 / (1 - rate), only while ``training`` (default False).

    As each release's ``Dropout.call``: ``tf.nn.dropout`` of that release
    (``runtime/dropout.py``) inside ``smart_cond``; 1.0-1.13 passed
    ``keep_prob = 1 - rate`` (a Python float), 1.14+ ``rate=rate`` (fact
    ``layers_dropout``)."""
    with _layer_scope(name, "dropout", None):
        return _dropout_call(inputs, rate, noise_shape, seed, training)


def _dropout_call(inputs, rate, noise_shape, seed, training):
    """``Dropout.call`` in the current scope."""
    inputs = tf.convert_to_tensor(inputs)
    if releases.fact("layers_dropout") == "keep_prob":
        dropped = lambda: nn_dropout(inputs, 1 - rate, noise_shape=noise_shape, seed=seed)
    else:
        dropped = lambda: nn_dropout(inputs, noise_shape=noise_shape, seed=seed, rate=rate)
    return _smart_cond(training, dropped, lambda: tf.identity(inputs))


def flatten(inputs, name=None):
    """``tf.layers.flatten``: [batch, ...] to [batch, everything else] (from TF 1.4).

    1.4-1.12 (fact ``flatten`` "dynamic_batch"): ``reshape(inputs, (shape(inputs)[0],
    -1))``, 8 ops (``Shape``, a ``strided_slice`` and its 3 consts, ``Reshape/shape/1``,
    the ``Pack`` ``Reshape/shape``, ``Reshape``); 1.13+ ("static_batch") uses a known
    batch size as it is: ``Reshape/shape`` (Const) and ``Reshape`` only."""
    release = releases.current()
    rule = release.fact("flatten")
    if rule is None:
        raise Unsupported(f"tf.layers.flatten does not exist in TF {release.name} (it "
                          f"arrived in 1.4); {releases.ENV} chooses the release reproduced")
    with _layer_scope(name, "flatten", None):
        inputs = tf.convert_to_tensor(inputs)
        batch = tf.compat.dimension_value(inputs.shape[0]) if inputs.shape.rank else None
        if batch is None or rule == "dynamic_batch":
            batch = tf.shape(inputs)[0]
        outputs = tf.reshape(inputs, (batch, -1))
        outputs.set_shape([inputs.shape[0], inputs.shape[1:].num_elements()])
        return outputs
