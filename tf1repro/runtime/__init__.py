"""TF 1.x's implementations behind ``tf1repro.tf1`` (layers, initializers, the op-seed rule,
the release table) and the program runner (``run``: the import rule, the era's NumPy, kernels).
May import ``tfcompat``, ``files``, ``errors`` and ``data``; never ``cells``, ``runs`` or ``explore``.
"""
