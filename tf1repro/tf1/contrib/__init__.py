"""``tf.contrib`` of TF 1.x: ``tf.contrib.layers`` (layers, initializers, regularizers),
``tf.contrib.framework``'s ``arg_scope``, ``tf.contrib.rnn`` (cells, ``static_rnn``),
``tf.contrib.seq2seq`` (``sequence_loss``, the basic decoder, attention) and ``tf.contrib.learn``
(imported on first use); nothing else."""

import importlib

from tf1repro.tf1._namespace import forbid_missing
from tf1repro.tf1.contrib import framework, layers, rnn, seq2seq

__all__ = ["layers", "framework", "rnn", "seq2seq", "learn"]
_missing = forbid_missing("tf.contrib", [f"layers.{name}" for name in layers.__all__]
                          + [f"framework.{name}" for name in framework.__all__]
                          + [f"rnn.{name}" for name in rnn.__all__]
                          + [f"seq2seq.{name}" for name in seq2seq.__all__] + ["learn"])


def __getattr__(name):
    if name == "learn":  # the Estimator machinery: loaded only by programs that use it
        return importlib.import_module("tf1repro.tf1.contrib.learn")
    return _missing(name)
