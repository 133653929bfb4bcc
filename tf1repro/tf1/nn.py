"""``tf.nn`` of TF 1.x.

    import tf1repro.tf1 as tf
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=logits)
    from tf1repro.tf1.nn import rnn_cell

The rule: every name of TF 2.21's ``tf.compat.v1.nn`` is forwarded as it is,
except where 2.21 changed what a TF 1.x call means:

- ``softmax_cross_entropy_with_logits``, ``sparse_softmax_cross_entropy_with_logits``
  and ``sigmoid_cross_entropy_with_logits`` have TF 1.x's ``_sentinel`` first
  parameter again, so a positional call raises TF 1.x's ValueError instead of
  silently taking the logits for the labels (2.21 dropped the sentinel);
- ``top_k`` takes ``name`` fourth, as TF 1.x did (2.21 put ``index_type`` there).

``rnn_cell``, ``dynamic_rnn``, ``static_rnn``, ``bidirectional_dynamic_rnn`` and
``static_bidirectional_rnn`` are the package's own (``tf1repro.tf1.rnn_cell``, ``tf1repro.runtime.rnn``),
imported on first use.  See docs/tf1-audit.md for what was compared.
"""

import importlib

from tf1repro.runtime.base import Unsupported
from tf1repro.runtime.dropout import nn_dropout as dropout  # noqa: F401  (the release's ops)
from tf1repro.runtime.moments import moments  # noqa: F401  (1.0-1.2's shifted moments)
from tf1repro.runtime.nn_ops import in_top_k  # noqa: F401  (InTopK before 1.4, InTopKV2 after)
from tf1repro.tf1._namespace import forward
from tf1repro.tfcompat import v1 as _v1

_LAZY = {
    "rnn_cell": ("tf1repro.tf1.rnn_cell", None),
    "dynamic_rnn": ("tf1repro.runtime.rnn", "dynamic_rnn"),
    "static_rnn": ("tf1repro.runtime.rnn", "static_rnn"),
    "bidirectional_dynamic_rnn": ("tf1repro.runtime.rnn", "bidirectional_dynamic_rnn"),
    "static_bidirectional_rnn": ("tf1repro.runtime.rnn", "static_bidirectional_rnn"),
}
_ADDED = ("softmax_cross_entropy_with_logits", "sparse_softmax_cross_entropy_with_logits",
          "sigmoid_cross_entropy_with_logits", "top_k", "dropout", "in_top_k", "moments") + tuple(_LAZY)


def _ensure_xent_args(name, sentinel, labels, logits):
    # TF 1.15 nn_ops._ensure_xent_args, message for message.
    if sentinel is not None:
        raise ValueError(f"Only call `{name}` with named arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """TF 1.x's: named arguments only; gradients flow into ``logits`` only
    (the labels pass through ``stop_gradient``, as in TF 1.x)."""
    _ensure_xent_args("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    return _v1.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits, dim=dim,
                                                    name=name, axis=axis)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """TF 1.x's: named arguments only."""
    _ensure_xent_args("sparse_softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    return _v1.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                           name=name)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """TF 1.x's: named arguments only."""
    _ensure_xent_args("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    return _v1.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name=name)


def top_k(input, k=1, sorted=True, name=None):  # noqa: A002  (TF 1.x's parameter names)
    """TF 1.x's argument order: ``name`` is the fourth parameter."""
    return _v1.nn.top_k(input, k=k, sorted=sorted, name=name)


_forward = forward("tf.nn", __name__, _v1.nn, _ADDED)


def __getattr__(name):
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name != module_name:
                raise
            raise Unsupported(f"tf.nn.{name} is not available: this installation of "
                              f"tf1repro has no {module_name}") from None
        value = module if attribute is None else getattr(module, attribute)
        globals()[name] = value  # resolved once
        return value
    return _forward(name)


def __dir__():
    return sorted(set(dir(_v1.nn)) | set(_ADDED))
