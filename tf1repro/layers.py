"""The old path of ``tf1repro.runtime.layers`` (``tf.layers`` and contrib's initializers).

``import tf1repro.layers`` and ``from tf1repro.layers import ...`` give that same
module object, so code and tests written against the old path run unchanged.
"""

import sys

from tf1repro.runtime import layers as _layers

sys.modules[__name__] = _layers
