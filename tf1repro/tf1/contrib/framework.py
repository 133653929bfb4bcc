"""``tf.contrib.framework`` of TF 1.x: ``arg_scope`` and ``add_arg_scope`` only.

    with arg_scope([fully_connected], normalizer_fn=batch_norm, normalizer_params=bn_params):
        hidden1 = fully_connected(X, 300, scope="hidden1")

``tf.contrib.layers``' layers accept it; any other name raises ``Unsupported``.
"""

from tf1repro.runtime.arg_scope import add_arg_scope, arg_scope
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["arg_scope", "add_arg_scope"]
__getattr__ = forbid_missing("tf.contrib.framework", __all__)
