"""``tf.contrib`` of TF 1.x: ``tf.contrib.layers`` (layers, initializers, regularizers),
``tf.contrib.framework``'s ``arg_scope``, ``tf.contrib.rnn`` (cells, ``static_rnn``) and
``tf.contrib.seq2seq`` (``sequence_loss``, the basic decoder); nothing else."""

from tf1repro.tf1._namespace import forbid_missing
from tf1repro.tf1.contrib import framework, layers, rnn, seq2seq

__all__ = ["layers", "framework", "rnn", "seq2seq"]
__getattr__ = forbid_missing("tf.contrib", [f"layers.{name}" for name in layers.__all__]
                             + [f"framework.{name}" for name in framework.__all__]
                             + [f"rnn.{name}" for name in rnn.__all__]
                             + [f"seq2seq.{name}" for name in seq2seq.__all__])
