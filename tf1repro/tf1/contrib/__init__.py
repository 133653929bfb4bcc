"""``tf.contrib`` of TF 1.x: ``tf.contrib.layers`` (layers, initializers, regularizers),
``tf.contrib.framework``'s ``arg_scope`` and ``tf.contrib.rnn`` (cells, ``static_rnn``);
nothing else."""

from tf1repro.tf1._namespace import forbid_missing
from tf1repro.tf1.contrib import framework, layers, rnn

__all__ = ["layers", "framework", "rnn"]
__getattr__ = forbid_missing("tf.contrib", [f"layers.{name}" for name in layers.__all__]
                             + [f"framework.{name}" for name in framework.__all__]
                             + [f"rnn.{name}" for name in rnn.__all__])
