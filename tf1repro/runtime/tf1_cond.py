"""TF 1.x's ``tf.cond`` and ``smart_cond``, op for op, for the layers to share.

    outputs = cond(training, lambda: batch_mean, lambda: moving_mean)
    decay = smart_select(training, lambda: momentum, lambda: 1.)   # 1.2-1.4's where
    # cond/Switch, cond/switch_t, cond/switch_f, cond/pred_id,
    # cond/Switch_1 (true: batch_mean), cond/Switch_2 (false: moving_mean), cond/Merge

TF 1.x's ``control_flow_ops.cond`` (1.0-1.15 alike) made, in its name scope
``cond``, ``cond_1``, ...: the predicate's ``Switch``, the pivots ``switch_t``
and ``switch_f``, ``pred_id``; then the true branch's ops, each outside tensor
it reads gated by a ``Switch`` made right after the op reading it (a reference
variable by a ``RefSwitch``); then the false branch's; then one ``Merge`` per
output.  A branch's outputs were *not* copied by an ``Identity`` (only when a
branch made summaries): a branch returning an outside tensor or variable gives
just ``Switch_k``.  TF 2.21's ``tf.compat.v1.cond`` builds the same graph
(``CondContext.BuildCondBranch`` wraps outputs in ``Identity`` only in that
same summaries case), so it is used as it is; an ``Identity`` in a TF 1.x
graph came from the layer's own ``array_ops.identity``, as in
``tf.layers.dropout``'s false branch ``lambda: array_ops.identity(inputs)``
(``dropout/cond/Identity`` + ``Identity/Switch``), which callers write here too.

With resource variables (the package's own graphs) a branch returning a
variable reads it (``ReadVariableOp``): the same values, not the same ops.
"""

import numpy as np

from tf1repro.tfcompat import tf, v1


def static_bool(value):
    """True/False when ``value`` is known while building the graph, else None (a tensor)."""
    if isinstance(value, (bool, int, float, np.bool_, np.number)):
        return bool(value)
    static = tf.get_static_value(value)
    return None if static is None else bool(static)


def cond(pred, true_fn, false_fn, name=None):
    """TF 1.x's ``tf.cond(pred, true_fn, false_fn)`` on a boolean tensor ``pred``.

    Branches may return Python numbers (a ``Const`` in the branch, as TF 1.x's
    ``smart_cond(training, lambda: self.momentum, lambda: 1.0)``), tensors,
    variables, or tuples of them; a one-element result is unpacked."""
    return v1.cond(pred, true_fn, false_fn, name=name)


def smart_cond(pred, true_fn, false_fn, name=None):
    """TF 1.x's ``smart_cond``: the Python branch when ``pred`` is known, ``cond`` otherwise."""
    static = static_bool(pred)
    if static is None:
        return cond(pred, true_fn, false_fn, name=name)
    return true_fn() if static else false_fn()


def smart_select(pred, fn_then, fn_else):
    """TF 1.2-1.4's ``_smart_select`` (layers/normalization.py): the Python
    branch when ``pred`` is known, else both branches and ``where``: ExpandDims
    (a number becomes an ``ExpandDims/input`` Const), ExpandDims, Reshape of
    the predicate, Select, Squeeze."""
    static = static_bool(pred)
    if static:
        return fn_then()
    if static is False:
        return fn_else()
    t_then = tf.expand_dims(fn_then(), 0)
    t_else = tf.expand_dims(fn_else(), 0)
    pred = tf.reshape(pred, [1])
    result = v1.where(pred, t_then, t_else)  # op Select, as 1.x's array_ops.where
    return tf.squeeze(result, [0])
