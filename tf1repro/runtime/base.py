"""What every rebuilt TF 1.x layer shares: ``Unsupported``, TF 1.x's ``smart_cond``,
``get_variable`` as a layer called it, and the layer's variable scope.

    with layer_scope(name, "dense", reuse):
        kernel = variable("kernel", [n_in, units], dtype, initializer)
"""

import contextlib

from tf1repro.runtime.tf1_cond import smart_cond as _smart_cond  # noqa: F401  (one cond for all)
from tf1repro.runtime.tf1_cond import static_bool as _static_bool  # noqa: F401
from tf1repro.tfcompat import tf, v1


class Unsupported(NotImplementedError):
    """A TF 1.x argument or attribute that ``tf1repro`` does not implement."""


def _unsupported(function, argument, value):
    return Unsupported(f"{function}({argument}={value!r}): {argument} is not supported by "
                       "tf1repro (TF 1.x accepted it; this reproduction does not implement it)")


def _variable(name, shape, dtype, initializer, regularizer=None, constraint=None,
              trainable=True):
    """``get_variable`` as a TF 1.x layer called it: a regularizer's loss goes to
    ``REGULARIZATION_LOSSES``, created right after its variable."""
    known = len(v1.global_variables())
    var = v1.get_variable(name, shape, dtype, initializer, trainable=trainable,
                          constraint=constraint)
    # As get_variable did, regularize only a variable made now, not a reused one.
    if regularizer is not None and len(v1.global_variables()) > known:
        with tf.name_scope(f"{name}/Regularizer"):
            loss = regularizer(var)
        if loss is not None:
            v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)
    return var


def _activity_regularization(outputs, regularizer):
    if regularizer is not None:
        with tf.name_scope("ActivityRegularizer"):
            loss = regularizer(outputs)
        if loss is not None:
            v1.add_to_collection(v1.GraphKeys.REGULARIZATION_LOSSES, loss)


@contextlib.contextmanager
def _reentered(scope):
    with v1.variable_scope(scope, auxiliary_name_scope=False) as entered, \
            v1.name_scope(scope.original_name_scope):
        yield entered


def _layer_scope(name, default_name, reuse):
    # A layer's variables and ops live under one variable scope: its name, or
    # the default made unique (dense, dense_1, ...) as TF 1.x's layers did.
    if isinstance(name, v1.VariableScope):
        # A scope handed over (contrib's batch_norm passes its own): TF 1.x's Layer
        # re-entered it and its *original* name scope (layers/base.py __call__, every
        # release), so the ops are BatchNorm/..., not BatchNorm/BatchNorm/...
        return _reentered(name)
    if reuse:
        return v1.variable_scope(name or default_name, reuse=True)
    return v1.variable_scope(name, default_name=default_name)
