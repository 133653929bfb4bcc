"""The layers of ``tf.contrib.layers`` that MNIST code of the TF 1.x era used.

    from tensorflow.contrib.layers import batch_norm, fully_connected
    bn_params = {"is_training": is_training, "decay": 0.9, "updates_collections": None}
    with arg_scope([fully_connected], normalizer_fn=batch_norm, normalizer_params=bn_params):
        hidden1 = fully_connected(X, 300, scope="hidden1")   # hidden1/weights, hidden1/BatchNorm/beta

TF 1.15's behaviour, read from its ``contrib/layers/python/layers/layers.py``:

- ``fully_connected``: ``activation_fn(normalizer_fn(inputs @ weights [+ biases]))``,
  ReLU by default, Xavier (uniform, fan average) weights; no ``biases`` when a
  ``normalizer_fn`` is given.  Variables ``<scope>/weights``, ``<scope>/biases``
  in a scope ``fully_connected``, ``fully_connected_1``, ...
- ``batch_norm``: ``decay=0.999``, ``scale=False`` (no gamma), ``epsilon=0.001``,
  in a scope ``BatchNorm``.  From 1.4 ``fused=None`` meant True, and then 2-D inputs
  (seen as [N, 1, 1, C]) and 4-D inputs whose updates are not simply collected in
  ``UPDATE_OPS`` go through the fused kernel, whose moving variance takes the
  unbiased batch variance (Bessel's correction); 4-D inputs with the default
  ``UPDATE_OPS`` are ``tf.layers.batch_normalization`` (fused there too); other
  ranks, or ``fused=False``, use plain moments.  1.0-1.3 defaulted to
  ``fused=False``: the release's ``tf.layers.batch_normalization`` when the updates
  go to ``UPDATE_OPS``, else the plain moments; asked for, 1.3 fused as 1.4 did and
  1.0-1.2 took contrib's fused kernel for any collections (fact ``contrib_bn_fused``).  ``updates_collections=None``
  runs the moving-average updates with the layer's output whenever
  ``is_training`` is true, instead of collecting them.
- ``dropout``: ``keep_prob`` (kept, not dropped), ``is_training=True`` by default.

Every variable goes to ``MODEL_VARIABLES`` too, and to ``variables_collections``
(a list, or a dict by short name).  Arguments left out here
(``batch_weights``, ``zero_debias_moving_mean``, ``renorm``, ``adjustment``)
raise ``Unsupported``.
"""

import functools

from tf1repro.runtime import releases
from tf1repro.runtime.arg_scope import add_arg_scope
from tf1repro.runtime.base import _smart_cond, _static_bool, _unsupported, _variable
from tf1repro.runtime.initializers import xavier_initializer
from tf1repro.runtime.layers import dense
from tf1repro.runtime.layers import flatten as _core_flatten
from tf1repro.runtime.layers import _dropout_call
from tf1repro.runtime.fused_norm import fused_kernel
from tf1repro.runtime.moving_averages import assign_moving_average
from tf1repro.runtime.normalization import _batch_normalization
from tf1repro.tfcompat import tf, v1

_RELEASE_DEFAULT = object()  # batch_norm's ``fused`` not passed: the release's default


def _collect(variables, variables_collections):
    """As contrib's ``model_variable``: MODEL_VARIABLES, plus the caller's collections."""
    for var in variables:
        short = var.op.name.rsplit("/", 1)[-1]
        v1.add_to_collection(v1.GraphKeys.MODEL_VARIABLES, var)
        names = (variables_collections.get(short) if isinstance(variables_collections, dict)
                 else variables_collections)
        for collection in ([names] if isinstance(names, str) else names or []):
            v1.add_to_collection(collection, var)


def _new_variables(build):
    """Run ``build()``; return its result and the global variables it created."""
    before = set(id(v) for v in v1.global_variables())
    result = build()
    return result, [v for v in v1.global_variables() if id(v) not in before]


def _outputs(outputs, outputs_collections):
    for collection in outputs_collections or []:
        v1.add_to_collection(collection, outputs)
    return outputs


@add_arg_scope
def fully_connected(inputs, num_outputs, activation_fn=tf.nn.relu, normalizer_fn=None,
                    normalizer_params=None, weights_initializer=xavier_initializer(),
                    weights_regularizer=None, biases_initializer=v1.zeros_initializer(),
                    biases_regularizer=None, reuse=None, variables_collections=None,
                    outputs_collections=None, trainable=True, scope=None):
    """``tf.contrib.layers.fully_connected`` (see the module's docstring)."""
    if isinstance(num_outputs, bool) or not isinstance(num_outputs, int):
        raise ValueError(f"num_outputs type should be one of (<class 'int'>,), got "
                         f"{type(num_outputs)}.")
    with v1.variable_scope(scope, "fully_connected", [inputs], reuse=reuse,
                           custom_getter=_renamed({"kernel": "weights", "bias": "biases"})):
        use_bias = normalizer_fn is None and biases_initializer is not None
        outputs, made = _new_variables(lambda: dense(
            inputs, num_outputs, use_bias=use_bias, kernel_initializer=weights_initializer,
            bias_initializer=biases_initializer, kernel_regularizer=weights_regularizer,
            bias_regularizer=biases_regularizer, trainable=trainable,
            name=v1.get_variable_scope()))  # in this scope, not a nested "dense"
        _collect(made, variables_collections)
        if normalizer_fn is not None:
            outputs = normalizer_fn(outputs, **(normalizer_params or {}))
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _outputs(outputs, outputs_collections)


def _renamed(names):
    """A variable getter that stores ``kernel`` as ``weights`` and ``bias`` as ``biases``,
    as contrib's layers did around the core ones."""
    def getter(getter, name, *args, **kwargs):
        scope, _, short = name.rpartition("/")
        short = names.get(short, short)
        return getter(f"{scope}/{short}" if scope else short, *args, **kwargs)
    return getter


@add_arg_scope
def batch_norm(inputs, decay=0.999, center=True, scale=False, epsilon=0.001, activation_fn=None,
               param_initializers=None, param_regularizers=None,
               updates_collections=v1.GraphKeys.UPDATE_OPS, is_training=True, reuse=None,
               variables_collections=None, outputs_collections=None, trainable=True,
               batch_weights=None, fused=_RELEASE_DEFAULT, data_format="NHWC",
               zero_debias_moving_mean=False, scope=None, renorm=False, renorm_clipping=None,
               renorm_decay=0.99, adjustment=None):
    """``tf.contrib.layers.batch_norm`` (see the module's docstring for the paths)."""
    for argument, value, given in (("batch_weights", batch_weights, batch_weights is not None),
                                   ("zero_debias_moving_mean", zero_debias_moving_mean,
                                    bool(zero_debias_moving_mean)),
                                   ("renorm", renorm, bool(renorm)),
                                   ("adjustment", adjustment, adjustment is not None)):
        if given:
            raise _unsupported("tf.contrib.layers.batch_norm", argument, value)
    if data_format not in ("NHWC", "NCHW"):
        raise ValueError("data_format has to be either NCHW or NHWC.")
    inputs = tf.convert_to_tensor(inputs)
    rank = inputs.shape.rank
    if rank is None:
        raise ValueError(f"Inputs {inputs.name} has undefined rank.")
    rule = releases.fact("contrib_bn_fused")  # "flag" (1.0-1.2), False (1.3), None (1.4+)
    if fused is _RELEASE_DEFAULT:
        fused = None if rule is None else False
    fused = bool(fused) if rule == "flag" else (True if fused is None else fused)
    initializers = param_initializers or {}
    regularizers = param_regularizers or {}
    params = dict(
        beta_initializer=initializers.get("beta", v1.zeros_initializer()),
        gamma_initializer=initializers.get("gamma", v1.ones_initializer()),
        moving_mean_initializer=initializers.get("moving_mean", v1.zeros_initializer()),
        moving_variance_initializer=initializers.get("moving_variance", v1.ones_initializer()),
        beta_regularizer=regularizers.get("beta"), gamma_regularizer=regularizers.get("gamma"))
    collected = updates_collections is v1.GraphKeys.UPDATE_OPS
    with v1.variable_scope(scope, "BatchNorm", [inputs], reuse=reuse) as sc:
        if fused and (rule == "flag" or rank in (2, 4) and (rank == 2 or not collected)):
            if rank not in (2, 4):
                raise ValueError(f"Inputs {inputs.name} has unsupported rank. Expected 2 "
                                 f"or 4 but received {rank}")
            build = lambda: _fused(inputs, data_format, decay, epsilon, center, scale, params,
                                   is_training, trainable, updates_collections)
        elif collected:  # tf.layers.batch_normalization in this scope
            build = lambda: _batch_normalization(
                "BatchNorm", inputs, 1 if data_format == "NCHW" else -1, decay, epsilon,
                center, scale, beta_constraint=None, gamma_constraint=None,
                training=is_training, trainable=trainable, name=sc, reuse=None, renorm=False,
                renorm_clipping=None, renorm_momentum=renorm_decay, fused=fused,
                virtual_batch_size=None, adjustment=None, **params)
        else:
            build = lambda: _moments(inputs, data_format, decay, epsilon, center, scale, params,
                                     is_training, trainable, updates_collections)
        outputs, made = _new_variables(build)
        _collect(made, variables_collections)
        if activation_fn is not None:
            outputs = activation_fn(outputs)
        return _outputs(outputs, outputs_collections)


def _parameters(params_shape, dtype, center, scale, params, trainable):
    """beta, gamma (None where off), moving_mean, moving_variance, in that order."""
    def make(name, on=True, train=trainable):
        if not on:
            return None
        return _variable(name, params_shape, dtype, params[f"{name}_initializer"],
                         params.get(f"{name}_regularizer"), trainable=train)
    return (make("beta", center), make("gamma", scale),
            make("moving_mean", train=False), make("moving_variance", train=False))


def _updates(is_training, decay, stats, moving, updates_collections, outputs, otherwise):
    """The moving averages.  ``updates_collections=None``: forced, returning
    ``outputs`` behind them while training and ``otherwise()`` when not; else
    added to the collections, returning ``outputs`` as it is."""
    assign = lambda: [assign_moving_average(v, x, decay) for v, x in zip(moving, stats)]
    if updates_collections is None:
        def forced():
            with tf.control_dependencies(assign()):
                return tf.nest.map_structure(tf.identity, outputs)
        return _smart_cond(is_training, forced, otherwise)
    updates = _smart_cond(is_training, lambda: tuple(assign()), lambda: tuple(moving))
    for update in updates:
        v1.add_to_collections(updates_collections, update)
    return outputs


def _fused(inputs, data_format, decay, epsilon, center, scale, params, is_training, trainable,
           updates_collections):
    """contrib's ``_fused_batch_norm``: 2-D inputs as [N, 1, 1, C] through the fused kernel."""
    original = inputs
    channel = 1 if data_format == "NCHW" else -1
    if inputs.shape.rank == 2:
        channels = int(inputs.shape[-1])
        inputs = tf.reshape(inputs, [-1, channels, 1, 1] if data_format == "NCHW"
                            else [-1, 1, 1, channels])
    params_shape = [int(inputs.shape[channel])]
    dtype = inputs.dtype.base_dtype
    beta, gamma, moving_mean, moving_variance = _parameters(params_shape, dtype, center, scale,
                                                            params, trainable)
    offset = beta if beta is not None else tf.constant(0.0, shape=params_shape)
    factor = gamma if gamma is not None else tf.constant(1.0, shape=params_shape)
    release = releases.current()  # FusedBatchNorm up to 1.14, V3 in 1.15 (bn_fused_op)
    outputs, mean, variance = _smart_cond(
        is_training,
        lambda: fused_kernel(release, inputs, factor, offset, epsilon, data_format),
        lambda: fused_kernel(release, inputs, factor, offset, epsilon, data_format,
                              mean=moving_mean, variance=moving_variance, is_training=False))
    if _static_bool(is_training) is not False:
        outputs = _updates(is_training, decay, (mean, variance), (moving_mean, moving_variance),
                           updates_collections, outputs, lambda: outputs)
    outputs.set_shape(inputs.shape)
    if original.shape.rank == 2:
        outputs = tf.reshape(outputs, tf.shape(original))
    return outputs


def _moments(inputs, data_format, decay, epsilon, center, scale, params, is_training, trainable,
             updates_collections):
    """contrib's own non-fused path (``fused=False``, or ranks other than 2 and 4, with
    updates forced or in collections of the caller's): biased batch moments."""
    rank = inputs.shape.rank
    if data_format == "NCHW":
        axes, params_shape = [0] + list(range(2, rank)), [int(inputs.shape[1])]
        broadcast = [1, params_shape[0]] + [1] * (rank - 2)
    else:
        axes, params_shape, broadcast = list(range(rank - 1)), [int(inputs.shape[-1])], None
    beta, gamma, moving_mean, moving_variance = _parameters(
        params_shape, inputs.dtype.base_dtype, center, scale, params, trainable)
    if _static_bool(is_training) is False:
        mean, variance = moving_mean, moving_variance
    else:
        mean, variance = tf.nn.moments(inputs, axes)
        stats, moving = (mean, variance), (moving_mean, moving_variance)
        mean, variance = _updates(is_training, decay, stats, moving, updates_collections,
                                  stats, lambda: moving)
        if updates_collections is not None:
            mean, variance = _smart_cond(is_training, lambda: stats, lambda: moving)
    if broadcast:
        mean, variance, beta, gamma = (None if t is None else tf.reshape(t, broadcast)
                                       for t in (mean, variance, beta, gamma))
    outputs = tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)
    outputs.set_shape(inputs.shape)
    return outputs


@add_arg_scope
def dropout(inputs, keep_prob=0.5, noise_shape=None, is_training=True, outputs_collections=None,
            scope=None, seed=None):
    """``tf.contrib.layers.dropout``: keeps a fraction ``keep_prob``, scaled by 1 / keep_prob,
    while ``is_training`` (True by default, unlike ``tf.layers.dropout``)."""
    if seed is not None and not releases.fact("contrib_dropout_seed"):
        raise TypeError(f"dropout() got an unexpected keyword argument 'seed' (TF "
                        f"{releases.current().name}'s tf.contrib.layers.dropout; seed= arrived in 1.5)")
    with v1.variable_scope(scope, "Dropout", [inputs]):
        # tf.layers' Dropout built in this scope (its ops are Dropout/cond/..., as in 1.x)
        outputs = _dropout_call(inputs, 1 - keep_prob, noise_shape, seed, is_training)
        return _outputs(outputs, outputs_collections)


@add_arg_scope
def flatten(inputs, outputs_collections=None, scope=None):
    """``tf.contrib.layers.flatten``: [batch, ...] to [batch, everything else], in a
    ``Flatten`` name scope.

    Each release's ``contrib/layers/python/layers/layers.py`` (fact ``contrib_flatten``):
    1.0 reshaped to ``[-1, k]`` (``Reshape/shape``, ``Reshape``; the dimensions after
    the first must be known); 1.1-1.3 built the shape itself: ``Shape``, ``Slice``
    (batch), ``Slice_1`` (the rest), ``Prod``, ``ExpandDims``, ``concat``, ``Reshape``,
    and set the static shape; from 1.4 it calls core ``tf.layers.flatten`` inside the
    scope (``Flatten/flatten/Reshape``)."""
    rule = releases.fact("contrib_flatten")
    with v1.name_scope(scope, "Flatten", [inputs]):
        inputs = tf.convert_to_tensor(inputs)
        if rule == "core":
            return _outputs(_core_flatten(inputs), outputs_collections)
        rank = inputs.shape.rank
        if rank is None or rank < 2:
            raise ValueError("Inputs must have a least 2 dimensions.")
        if rule == "reshape_k":
            if not inputs.shape[1:].is_fully_defined():
                raise ValueError("Inputs 2nd dimension must be defined.")
            outputs = tf.reshape(inputs, [-1, inputs.shape[1:].num_elements()])
            return _outputs(outputs, outputs_collections)
        shape = tf.shape(inputs)
        batch_dim = tf.slice(shape, [0], [1])
        spatial_dims = tf.slice(shape, [1], [rank - 1])
        flat_spatial_dim = tf.expand_dims(v1.reduce_prod(spatial_dims), 0)
        outputs = tf.reshape(inputs, tf.concat([batch_dim, flat_spatial_dim], 0))
        static = inputs.shape.as_list()
        batch, spatial = static[0], static[1:]
        outputs.set_shape([batch, functools.reduce(lambda x, y: x * y, spatial)
                           if all(spatial) else None])
        return _outputs(outputs, outputs_collections)
