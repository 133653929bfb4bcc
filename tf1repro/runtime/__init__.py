"""TF 1.x's implementations behind ``tf1repro.tf1``: layers, contrib layers, initializers.

Holds what TF 2.16+ removed, rebuilt once on ``tf.compat.v1`` and shared with the package's graphs.
May import ``tfcompat``, ``errors``, ``files`` and ``data``; never ``cells``, ``runs``, ``explore``.
"""
