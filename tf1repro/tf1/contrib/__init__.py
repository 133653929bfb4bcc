"""``tf.contrib`` of TF 1.x: only ``tf.contrib.layers``'s initializers and regularizers."""

from tf1repro.tf1._namespace import forbid_missing
from tf1repro.tf1.contrib import layers

__all__ = ["layers"]
__getattr__ = forbid_missing("tf.contrib", [f"layers.{name}" for name in layers.__all__])
