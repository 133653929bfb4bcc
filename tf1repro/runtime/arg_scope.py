"""``tf.contrib.framework.arg_scope`` and ``add_arg_scope``, as TF 1.x's contrib layers used them.

    with arg_scope([fully_connected], normalizer_fn=batch_norm):
        hidden1 = fully_connected(X, 300, scope="hidden1")
"""

import functools

_ARG_SCOPES = []  # a stack of {function key: {argument: value}}


def add_arg_scope(function):
    """``tf.contrib.framework.add_arg_scope``: let ``arg_scope`` supply defaults to ``function``."""
    key = (function.__module__, function.__name__)

    @functools.wraps(function)
    def with_scope(*args, **kwargs):
        current = dict(_ARG_SCOPES[-1].get(key, {})) if _ARG_SCOPES else {}
        current.update(kwargs)  # what the call says wins
        return function(*args, **current)
    with_scope._arg_scope_key = key
    return with_scope


class arg_scope:  # noqa: N801  (TF 1.x's name)
    """``tf.contrib.framework.arg_scope([f, g], name=value, ...)``: default arguments,
    nested scopes adding to (and overriding) the outer ones."""

    def __init__(self, list_ops_or_scope, **kwargs):
        if isinstance(list_ops_or_scope, dict):  # a scope captured earlier, re-entered
            self._scope = list_ops_or_scope
            return
        if not isinstance(list_ops_or_scope, (list, tuple)):
            raise TypeError("list_ops_or_scope must either be a list/tuple or reused scope "
                            "(i.e. dict)")
        scope = {k: dict(v) for k, v in (_ARG_SCOPES[-1] if _ARG_SCOPES else {}).items()}
        for op in list_ops_or_scope:
            key = getattr(op, "_arg_scope_key", None)
            if key is None:
                raise ValueError(f"{getattr(op, '__name__', op)} is not decorated with "
                                 "@add_arg_scope")
            scope.setdefault(key, {}).update(kwargs)
        self._scope = scope

    def __enter__(self):
        _ARG_SCOPES.append(self._scope)
        return self._scope

    def __exit__(self, *exc):
        _ARG_SCOPES.pop()
