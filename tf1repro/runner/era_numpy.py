"""NumPy as TF 1.x programs knew it, for the program ``run`` runs (its process or kernel only).

    header = install(print_legacy="1.13")   # np.int, np.float, np.infty, np.asscalar ... are back

NumPy 1.20-1.25 removed aliases that TF 1.x-era code used everywhere
(``dtype=np.int``, ``np.infty``, ``np.asscalar(x)``); they come back with their
1.x meanings.  Only names NumPy 2 lacks are added, so libraries in the same
process see the NumPy they were written for: ``np.bool`` and ``np.long`` exist
again in NumPy 2 (NumPy's bool, C long) and are left as they are; the era's
uses of them (``dtype=np.bool``, ``np.long(x)``) give the same results.
A plain ``import tf1repro.tf1`` never calls this.

``print_legacy="1.13"`` is NumPy's own legacy mode plus one thing it leaves out:
NumPy 1.13 formatted each element of a float array with ``'%.8f' % x``, a Python
float, so a float32 array printed the float32's exact value to 8 decimals
(``[ 1.00423515]``), where the legacy mode prints the shortest float32 digits
(``[ 1.0042351]``; NumPy 1.14's notes warn of this for float16 only).
"""

import numpy as np

try:
    from numpy._core import arrayprint
except ImportError:  # NumPy 1.26
    from numpy.core import arrayprint


def _asscalar(a):
    """NumPy 1.x's ``np.asscalar``: ``a.item()``."""
    return a.item()


def _removed():
    """The removed names and their NumPy 1.x meanings."""
    return {
        "int": int, "float": float, "bool": bool, "object": object, "complex": complex,
        "str": str, "unicode": str, "long": int,
        "infty": np.inf, "Inf": np.inf, "Infinity": np.inf, "PINF": np.inf, "NINF": -np.inf,
        "NaN": np.nan, "NAN": np.nan, "PZERO": 0.0, "NZERO": -0.0,
        "float_": np.float64, "complex_": np.complex128, "cfloat": np.complex128,
        "longfloat": np.longdouble, "singlecomplex": np.complex64,
        "longcomplex": np.clongdouble, "clongfloat": np.clongdouble,
        "string_": np.bytes_, "unicode_": np.str_, "bool8": np.bool_, "int0": np.intp,
        "uint0": np.uintp, "object0": np.object_, "str0": np.str_, "bytes0": np.bytes_,
        "void0": np.void,
        "asscalar": _asscalar, "product": np.prod, "cumproduct": np.cumprod,
        "sometrue": np.any, "alltrue": np.all, "round_": np.round,
        "asfarray": lambda a, dtype=np.float64: np.asarray(a, dtype=dtype),
    }


class _FloatFormat113(arrayprint.FloatingFormat):
    """NumPy's float array formatter, given float16/float32 values as the float64s 1.13 formatted."""

    def __init__(self, data, *args, **kwargs):
        super().__init__(_wide(data), *args, **kwargs)

    def __call__(self, x):
        return super().__call__(_wide(x))


def _wide(x):
    return x.astype(np.float64) if x.dtype in (np.float16, np.float32) else x


def install(print_legacy=None):
    """Add the removed names NumPy lacks (and ``np.set_printoptions(legacy=...)``); the header line."""
    added = []
    for name, value in _removed().items():
        if name not in np.__dict__:
            setattr(np, name, value)
            added.append(name)
    shown = [n for n in ("int", "float", "object", "infty", "NaN", "float_", "asscalar") if n in added]
    line = (f"# NumPy {np.__version__}, with NumPy 1.x's removed names back for this program "
            f"(np.{', np.'.join(shown)}, ... {len(added)} in all; np.bool and np.long are NumPy 2's)")
    if print_legacy:
        np.set_printoptions(legacy=print_legacy)
        if print_legacy == "1.13":
            arrayprint.FloatingFormat = _FloatFormat113
        line += f"; printing as NumPy {print_legacy} did"
    return line
