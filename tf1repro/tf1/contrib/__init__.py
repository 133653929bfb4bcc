"""``tf.contrib`` of TF 1.x: ``tf.contrib.layers`` (layers, initializers, regularizers)
and ``tf.contrib.framework``'s ``arg_scope``; nothing else."""

from tf1repro.tf1._namespace import forbid_missing
from tf1repro.tf1.contrib import framework, layers

__all__ = ["layers", "framework"]
__getattr__ = forbid_missing("tf.contrib", [f"layers.{name}" for name in layers.__all__]
                             + [f"framework.{name}" for name in framework.__all__])
