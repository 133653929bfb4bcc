"""``tf.layers`` of TF 1.x: ``dense``, ``batch_normalization``, ``dropout``, ``flatten``.

Their argument lists, defaults, variable names and collections are TF 1.x's;
the implementation is the package's one (``tf1repro.layers``).  Any other
name raises ``Unsupported`` saying so and naming these.
"""

from tf1repro.layers import batch_normalization, dense, dropout, flatten
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["dense", "batch_normalization", "dropout", "flatten"]
__getattr__ = forbid_missing("tf.layers", __all__)
