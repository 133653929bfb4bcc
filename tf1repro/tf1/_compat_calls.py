"""Top-level TF 1.x calls whose meaning TF 2.21's ``tf.compat.v1`` changed.

Each is a thin wrapper with TF 1.15's parameter list that calls 2.21's function
by keyword.  docs/tf1-audit.md lists what was compared and the sources.
"""

from tf1repro.tfcompat import v1 as _v1


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, name=None):
    """TF 1.15's ``tf.matmul``: ``name`` is the ninth parameter (2.21 put
    ``output_type`` there, so a positional name became a dtype)."""
    return _v1.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b,
                      adjoint_a=adjoint_a, adjoint_b=adjoint_b, a_is_sparse=a_is_sparse,
                      b_is_sparse=b_is_sparse, name=name)


__all__ = ["matmul"]
