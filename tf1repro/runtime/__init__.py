"""TF 1.x's implementations behind ``tf1repro.tf1``: layers, initializers, the op-seed rule,
the release table, the recurrent cells.
May import ``tfcompat``, ``files``, ``errors`` and ``data``; never ``runner``, ``cells``, ``runs`` or ``explore``.
"""
