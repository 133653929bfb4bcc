"""``tf.layers.batch_normalization`` of TF 1.x: the plain path and the fused 4-D one,
op for op as the release chosen by ``$TF1REPRO_TF1_RELEASE`` built them.

    z = batch_normalization(h, training=training, momentum=0.9)   # [batch, units]

Under TF 1.x's op-seed rule (``seeds``) the number and order of the ops a layer
makes decide every later random draw, so each release's ops are rebuilt here
(read from each wheel's ``python/layers/normalization.py``, from 1.9
``python/keras/layers/normalization.py``, ``ops/nn_impl.py``,
``training/moving_averages.py``; the facts ``bn_*`` of ``releases``, named in
``docs/releases.md``).  With ``training`` a boolean tensor, on [N, C] inputs:

- 1.0-1.1 ("cond_output"): beta, gamma, the moving statistics; beta and gamma
  reshaped to [1, C] (1.0's ``needs_broadcasting`` compared a list with a
  ``range``, always unequal under Python 3); the release's ``nn.moments`` (keep
  dims) reshaped to [C]; two ``AssignMovingAvg`` with ``momentum`` that run
  whenever an update op is fetched, whatever ``training`` says; then a ``cond``
  whose true branch normalises with the batch moments and whose false branch
  reshapes the moving statistics and normalises with them.  90 ops.
- 1.2-1.4 ("select"): the moments (1.2's shifted 14-op ``nn.moments``, 8 ops from
  1.3); ``_smart_select`` (ExpandDims, ExpandDims, Reshape, Select, Squeeze) of
  the mean, the variance and the decay (momentum or 1.0); two unconditional
  ``assign_moving_average`` (AssignSub ops, in ``UPDATE_OPS``), which change
  nothing when the selected decay is 1; the ``batchnorm/`` arithmetic.  74 ops
  in 1.2, 68 in 1.3 and 1.4.
- 1.5-1.15 ("cond"): ``cond`` (mean) and ``cond_1`` (variance), each Switch,
  switch_t, switch_f, pred_id, Switch_1, Switch_2, Merge; the updates ``cond_2``,
  ``cond_3`` (true: ``AssignMovingAvg/decay``, ``sub``, ``mul``, the AssignSub
  ``cond_k/AssignMovingAvg``; false: the variable), whose ``Merge`` goes to
  ``UPDATE_OPS`` (a tensor up to 1.8, the Operation from 1.9, as Keras's
  ``add_update`` stored it); ``batchnorm/``.  72 ops.

Beta is created before gamma up to 1.3, gamma first from 1.4.  Fused (4-D,
channels at 1 or 3): 1.0-1.2 have no ``fused`` argument (passing it is a
TypeError, as it was); 1.3 fuses only when asked (default False); 1.4+ fuse by
default (``fused=None``).  The fused path is ``cond`` over two
``nn.fused_batch_norm`` (op ``FusedBatchNorm`` up to 1.14, ``FusedBatchNormV3``
in 1.15); then the decay and the two unconditional updates, as ``bn_fused_decay``
says: 1.3 ``_smart_select`` of momentum or 1.0; 1.4 ``_smart_select`` of
1 - momentum or 0 and the layer's own update (``read``, ``Sub``, ``Mul``); 1.5-1.7
the same by ``cond_1``; 1.8+ ``cond_1`` choosing momentum or 1.0.  The moving
variance gets the kernel's unbiased (Bessel-corrected) batch variance.

Op for op under reference variables (``tf1repro.tf1``); with resource variables
(the package's own graphs) the same values, with variable reads as extra ops.
``tf.contrib.layers.batch_norm`` builds the same layer (``contrib_layers``).
"""

# TensorFlow first through tfcompat, which keeps its start-up chatter quiet.
from tf1repro.tfcompat import tf, v1

from tf1repro.runtime import releases
from tf1repro.runtime.base import _unsupported, _layer_scope, _variable
from tf1repro.runtime.fused_norm import fused_batch_norm
from tf1repro.runtime.moments import moments
from tf1repro.runtime.moving_averages import assign_moving_average
from tf1repro.runtime.tf1_cond import smart_cond, smart_select, static_bool

_ABSENT = object()  # ``fused`` not passed: its default is the release's


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                        beta_initializer=v1.zeros_initializer(),
                        gamma_initializer=v1.ones_initializer(),
                        moving_mean_initializer=v1.zeros_initializer(),
                        moving_variance_initializer=v1.ones_initializer(),
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=_ABSENT, virtual_batch_size=None, adjustment=None):
    """``tf.layers.batch_normalization``, TF 1.x's semantics and ops (see the module).

    ``training`` is a Python bool or a boolean tensor (a placeholder).  While
    it is true the layer normalises with the batch mean and biased batch
    variance over every axis but ``axis``, and gradients flow through both;
    otherwise it uses the moving statistics.  The moving-average updates,
    ``v <- v - (v - batch_stat) * (1 - momentum)``, are ops added to
    ``UPDATE_OPS`` that change nothing unless ``training`` is true (none are
    made when it is a Python False; 1.0-1.1 made them even so).  Variables in
    the release's order (1.0-1.3: beta, gamma; 1.4+: gamma, beta; then
    moving_mean, moving_variance) in a fresh scope ``batch_normalization``, ...

    On 4-D inputs with the channel axis last or first the fused kernel is used
    when the release did (``fused``: 1.3 default False, 1.4+ default None,
    meaning "where it can be"): the same normalisation, but the moving
    variance is updated with the *unbiased* batch variance (n/(n-1)).
    """
    release = releases.current()
    if fused is _ABSENT:
        fused = release.fact("bn_fused_default")
    elif release.fact("bn_fused_default") == "absent":
        # TF 1.0-1.2's signature has no ``fused``.
        raise TypeError("batch_normalization() got an unexpected keyword argument 'fused' "
                        f"(TF {release.name}'s tf.layers.batch_normalization has no fused; "
                        "it came in 1.3)")
    if fused == "absent":
        fused = False
    del release
    return _batch_normalization("batch_normalization", **locals())


def _batch_normalization(default_name, inputs, axis, momentum, epsilon, center, scale,
                         beta_initializer, gamma_initializer, moving_mean_initializer,
                         moving_variance_initializer, beta_regularizer, gamma_regularizer,
                         beta_constraint, gamma_constraint, training, trainable, name, reuse,
                         renorm, renorm_clipping, renorm_momentum, fused, virtual_batch_size,
                         adjustment):
    # The layer in a scope named ``name`` or a fresh ``default_name``:
    # tf.contrib.layers.batch_norm builds this same layer as "BatchNorm".
    release = releases.current()  # at call time: tests and runs may choose it late
    function = "tf.layers.batch_normalization"
    if renorm:
        raise _unsupported(function, "renorm", renorm)
    if virtual_batch_size is not None:
        raise _unsupported(function, "virtual_batch_size", virtual_batch_size)
    if adjustment is not None:
        raise _unsupported(function, "adjustment", adjustment)
    inputs = tf.convert_to_tensor(inputs)
    ndims = inputs.shape.rank
    if not ndims:
        raise ValueError(f"Input has undefined rank: {inputs.shape}")
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    axes = [a + ndims if a < 0 else a for a in axes]
    if any(not 0 <= a < ndims for a in axes):
        raise ValueError(f"Invalid axis: {axis}")
    if len(set(axes)) != len(axes):
        raise ValueError(f"Duplicate axis: {axes}")
    # fused=None meant "fused where it can be": 4-D, channels at 1 or 3.
    # (bn_fused_default: 1.0-1.2 never fused, 1.3 only when asked.)
    fused = (release.fact("bn_fused_default") != "absent" and fused is not False
             and ndims == 4 and axes in ([1], [3]))
    dims = [inputs.shape[a] for a in axes]
    if any(d is None for d in dims):
        raise ValueError(f"Input has undefined `axis` dimension. Input shape: {inputs.shape}")
    if len(axes) == 1:
        params_shape = [int(dims[0])]
    else:
        params_shape = [int(inputs.shape[i]) if i in axes else 1 for i in range(ndims)]
    dtype = inputs.dtype.base_dtype
    param_dtype = tf.float32 if dtype in (tf.float16, tf.bfloat16) else dtype

    with _layer_scope(name, default_name, reuse):
        def beta_():
            return (_variable("beta", params_shape, param_dtype, beta_initializer,
                              beta_regularizer, beta_constraint, trainable) if center else None)

        def gamma_():
            return (_variable("gamma", params_shape, param_dtype, gamma_initializer,
                              gamma_regularizer, gamma_constraint, trainable) if scale else None)

        # 1.0-1.3 made beta first, 1.4-1.15 gamma (each release's build()).
        if release.fact("bn_beta_first"):
            beta = beta_()
            gamma = gamma_()
        else:
            gamma = gamma_()
            beta = beta_()
        moving_mean = _variable("moving_mean", params_shape, param_dtype,
                                moving_mean_initializer, trainable=False)
        moving_variance = _variable("moving_variance", params_shape, param_dtype,
                                    moving_variance_initializer, trainable=False)
        if fused:
            outputs, updates = fused_batch_norm(
                release, inputs, axes[0], training, momentum, epsilon, beta, gamma,
                moving_mean, moving_variance)
        else:
            outputs, updates = _batch_norm(release, inputs, axes, training, momentum, epsilon,
                                           beta, gamma, moving_mean, moving_variance)
        _collect_updates(release, updates)
        return outputs


def _collect_updates(release, updates):
    # The layer's __call__ added its updates to UPDATE_OPS after building:
    # tensors up to 1.8 (layers/base.py add_update), the Operations from 1.9
    # (keras/engine/base_layer.py add_update stored ``x.op``).
    for update in updates:
        if release.fact("bn_updates") == "operation" and isinstance(update, tf.Tensor):
            update = update.op
        v1.add_to_collection(v1.GraphKeys.UPDATE_OPS, update)


def _batch_norm(release, inputs, axes, training, momentum, epsilon, beta, gamma, moving_mean,
                moving_variance):
    """The plain path; returns (outputs, updates for UPDATE_OPS)."""
    ndims = inputs.shape.rank
    reduction_axes = [i for i in range(ndims) if i not in axes]
    if release.fact("bn_path") == "cond_output":
        return _cond_output(inputs, axes, reduction_axes, training, momentum, epsilon, beta,
                            gamma, moving_mean, moving_variance)
    if len(axes) == 1 and axes[0] != ndims - 1:
        # One channel axis that is not the last: parameters broadcast along it.
        shape = [1] * ndims
        shape[axes[0]] = int(inputs.shape[axes[0]])
        broadcast = lambda v: None if v is None else tf.reshape(v, shape)
    else:
        broadcast = lambda v: v
    updates = []
    keep = len(axes) > 1
    if static_bool(training) is False:
        mean, variance = moving_mean, moving_variance
    elif release.fact("bn_path") == "select":
        # 1.2-1.4: where-selected moments and decay, unconditional updates.
        batch_mean, batch_variance = moments(inputs, reduction_axes, keep_dims=keep)
        mean = smart_select(training, lambda: batch_mean, lambda: moving_mean)
        variance = smart_select(training, lambda: batch_variance, lambda: moving_variance)
        decay = smart_select(training, lambda: momentum, lambda: 1.)
        updates = [assign_moving_average(moving_mean, mean, decay),
                   assign_moving_average(moving_variance, variance, decay)]
    else:
        # 1.5-1.15: a cond per moment, then a cond per update.
        batch_mean, batch_variance = moments(inputs, reduction_axes, keep_dims=keep)
        mean = smart_cond(training, lambda: batch_mean, lambda: moving_mean)
        variance = smart_cond(training, lambda: batch_variance, lambda: moving_variance)
        for variable, value in ((moving_mean, mean), (moving_variance, variance)):
            updates.append(smart_cond(
                training,
                lambda v=variable, x=value: assign_moving_average(v, x, momentum),
                lambda v=variable: v))
    outputs = tf.nn.batch_normalization(inputs, broadcast(mean), broadcast(variance),
                                        broadcast(beta), broadcast(gamma), epsilon)
    outputs.set_shape(inputs.shape)
    return outputs, updates


def _cond_output(inputs, axes, reduction_axes, training, momentum, epsilon, beta, gamma,
                 moving_mean, moving_variance):
    """1.0.1/1.1.0's ``call`` (one axis), as it ran under Python 3: ``needs_broadcasting``
    (``sorted(axes) != range(ndim)[:-1]``, a list against a range) always held."""
    if len(axes) != 1:  # 1.0's ``del reduction_axes[self.axis]`` took one int
        raise TypeError(f"axis must be an int in TF {releases.current().name}, not {axes}")
    shape = [1] * inputs.shape.rank
    shape[axes[0]] = int(inputs.shape[axes[0]])
    broadcast_beta = None if beta is None else tf.reshape(beta, shape)
    broadcast_gamma = None if gamma is None else tf.reshape(gamma, shape)
    updates = []
    if static_bool(training) is not False:
        broadcast_mean, broadcast_variance = moments(inputs, reduction_axes, keep_dims=True)
        mean = tf.reshape(broadcast_mean, [-1])
        variance = tf.reshape(broadcast_variance, [-1])
        updates = [assign_moving_average(moving_mean, mean, momentum),
                   assign_moving_average(moving_variance, variance, momentum)]

    def in_training():
        return tf.nn.batch_normalization(inputs, broadcast_mean, broadcast_variance,
                                         broadcast_beta, broadcast_gamma, epsilon)

    def in_test():
        return tf.nn.batch_normalization(inputs, tf.reshape(moving_mean, shape),
                                         tf.reshape(moving_variance, shape), broadcast_beta,
                                         broadcast_gamma, epsilon)

    return smart_cond(training, in_training, in_test), updates
