"""``tf.contrib.layers`` of TF 1.x: what MLPs of its era used.

Layers: ``fully_connected``, ``batch_norm``, ``dropout``, ``flatten``
(``tf1repro.contrib_layers``, TF 1.15's paths and names; ``flatten`` as each release
built it).  Initializers and regularizers:
``real_valued_column`` (contrib's dense feature column, for ``tf.contrib.learn``).
``variance_scaling_initializer`` keeps contrib's formula (truncated normal,
``stddev = sqrt(1.3 * factor / n)``), which differs from the core
``tf.variance_scaling_initializer``; ``xavier_initializer`` is that with
``factor=1.0, mode='FAN_AVG'``.  Any other name raises ``Unsupported``
saying so and naming these.
"""

from tf1repro.runtime.contrib_layers import batch_norm, dropout, flatten, fully_connected
from tf1repro.runtime.layers import (l1_regularizer, l2_regularizer, variance_scaling_initializer,
                             xavier_initializer)
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["fully_connected", "batch_norm", "dropout", "flatten", "variance_scaling_initializer",
           "xavier_initializer", "l1_regularizer", "l2_regularizer", "real_valued_column"]
_missing = forbid_missing("tf.contrib.layers", __all__)


def __getattr__(name):
    if name == "real_valued_column":  # the Estimator machinery loads on first use only
        from tf1repro.estimator.learn import real_valued_column
        return real_valued_column
    return _missing(name)
