"""``tf.layers`` of TF 1.x: ``dense``, ``batch_normalization``, ``dropout``, ``flatten``,
``conv2d``, ``max_pooling2d``, ``average_pooling2d``.

Their argument lists, defaults, variable names and collections are TF 1.x's;
the implementation is the package's one (``tf1repro.layers``).  Any other
name raises ``Unsupported`` saying so and naming these.
"""

from tf1repro.runtime.layers import (average_pooling2d, batch_normalization, conv2d, dense, dropout,
                             flatten, max_pooling2d)
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["dense", "batch_normalization", "dropout", "flatten", "conv2d", "max_pooling2d",
           "average_pooling2d"]
__getattr__ = forbid_missing("tf.layers", __all__)
