"""``tf.contrib.layers`` of TF 1.x: the initializers and regularizers MLPs of its era used.

``variance_scaling_initializer`` keeps contrib's formula (truncated normal,
``stddev = sqrt(1.3 * factor / n)``), which differs from the core
``tf.variance_scaling_initializer``; ``xavier_initializer`` is that with
``factor=1.0, mode='FAN_AVG'``.  Any other name raises ``Unsupported``
saying so and naming these.
"""

from tf1repro.layers import (l1_regularizer, l2_regularizer, variance_scaling_initializer,
                             xavier_initializer)
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["variance_scaling_initializer", "xavier_initializer", "l1_regularizer",
           "l2_regularizer"]
__getattr__ = forbid_missing("tf.contrib.layers", __all__)
