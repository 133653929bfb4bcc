"""What the ``tf1repro.tf1`` namespaces answer for a name they do not have.

Two answers, each a one-line ``Unsupported`` (a ``NotImplementedError``, so
``from ... import name`` shows it too, where an ``AttributeError`` would become a
bare "cannot import name"):

- a name this reproduction does not implement (``forbid_missing``);
- a name TF 1.x itself renamed before 1.0 and TF 2.21's ``tf.compat.v1`` no longer
  has (``RENAMED_IN_1_0``): the message names the TF 1.x successor.

``forward`` builds the ``__getattr__`` of a namespace that passes every other name
through to its ``tf.compat.v1`` counterpart, and ``ModulePathFinder`` makes import
lines (``import tf1repro.tf1.contrib.slim``) fail with the same messages.
"""

import importlib
import sys
from collections import Counter

from tf1repro.runtime.layers import Unsupported

# TF 1.1's own upgrader (tensorflow/tools/compatibility/tf_upgrade.py,
# APIChangeSpec.function_renames): names of 0.x that 1.0 renamed.  Only those
# TF 2.21's compat.v1 lacks ever reach this table (``tf.initialize_all_variables``
# and friends still exist there and are forwarded as they are).
RENAMED_IN_1_0 = {
    "tf.inv": "tf.reciprocal",
    "tf.listdiff": "tf.setdiff1d",
    "tf.list_diff": "tf.setdiff1d",
    "tf.mul": "tf.multiply",
    "tf.neg": "tf.negative",
    "tf.sub": "tf.subtract",
    "tf.train.SummaryWriter": "tf.summary.FileWriter",
    "tf.scalar_summary": "tf.summary.scalar",
    "tf.histogram_summary": "tf.summary.histogram",
    "tf.audio_summary": "tf.summary.audio",
    "tf.image_summary": "tf.summary.image",
    "tf.merge_summary": "tf.summary.merge",
    "tf.merge_all_summaries": "tf.summary.merge_all",
    "tf.all_variables": "tf.global_variables",
    "tf.initialize_all_variables": "tf.global_variables_initializer",
    "tf.initialize_variables": "tf.variables_initializer",
    "tf.initialize_local_variables": "tf.local_variables_initializer",
    "tf.batch_matrix_diag": "tf.matrix_diag",
    "tf.batch_matrix_transpose": "tf.matrix_transpose",
    "tf.batch_matrix_determinant": "tf.matrix_determinant",
    "tf.batch_matrix_inverse": "tf.matrix_inverse",
    "tf.batch_cholesky": "tf.cholesky",
    "tf.batch_cholesky_solve": "tf.cholesky_solve",
    "tf.batch_matrix_solve": "tf.matrix_solve",
    "tf.batch_matrix_triangular_solve": "tf.matrix_triangular_solve",
    "tf.batch_matrix_solve_ls": "tf.matrix_solve_ls",
    "tf.batch_self_adjoint_eig": "tf.self_adjoint_eig",
    "tf.batch_self_adjoint_eigvals": "tf.self_adjoint_eigvals",
    "tf.batch_svd": "tf.svd",
    "tf.batch_fft": "tf.fft",
    "tf.batch_ifft": "tf.ifft",
    "tf.batch_fft2d": "tf.fft2d",
    "tf.batch_ifft2d": "tf.ifft2d",
    "tf.batch_fft3d": "tf.fft3d",
    "tf.batch_ifft3d": "tf.ifft3d",
    "tf.select": "tf.where",
    "tf.complex_abs": "tf.abs",
    "tf.batch_matmul": "tf.matmul",
    "tf.pack": "tf.stack",
    "tf.unpack": "tf.unstack",
    "tf.op_scope": "tf.name_scope",
}


def refusal(path, supported=None):
    """The ``Unsupported`` for TF 1.x's ``path`` (``"tf.contrib.slim"``), or None; counted in ``asked``."""
    error = _refusal(path, supported)
    if error is not None:
        asked[path] += 1
    return error


def _refusal(path, supported):
    if path in RENAMED_IN_1_0:
        return Unsupported(f"{path} was renamed {RENAMED_IN_1_0[path]} in TF 1.0; "
                           f"use {RENAMED_IN_1_0[path]}")
    if supported is not None:
        return Unsupported(
            f"{path} is not supported by tf1repro.tf1 (TF 1.x had it; this "
            f"reproduction does not); {path.rsplit('.', 1)[0]} provides: {', '.join(supported)}")
    return None

# Names asked for and refused, counted in this process: ``run``'s summary reads them.
asked = Counter()


def forbid_missing(namespace, supported):
    """A module ``__getattr__`` that refuses TF 1.x names it lacks with ``Unsupported``.

    Private and dunder names stay ordinary ``AttributeError``s, as tools that
    probe modules expect.
    """
    def __getattr__(name):
        if name.startswith("_"):
            raise AttributeError(f"module {namespace!r} has no attribute {name!r}")
        raise refusal(f"{namespace}.{name}", supported)
    return __getattr__


def forward(namespace, module_name, target, added=()):
    """A module ``__getattr__`` that forwards to ``target`` (a ``tf.compat.v1``
    namespace) and refuses renamed names with ``Unsupported``."""
    def __getattr__(name):
        try:
            return getattr(target, name)
        except AttributeError:
            pass
        error = None if name.startswith("_") else refusal(f"{namespace}.{name}")
        if error is not None:
            raise error
        raise AttributeError(
            f"module {module_name!r} has no attribute {name!r}: TensorFlow's "
            f"{target.__name__.replace('tensorflow._api.v2.', 'tf.')} has no such name"
            + (f", and {module_name} adds only {', '.join(added)}" if added else ""))
    return __getattr__


class ModulePathFinder:
    """Import lines under ``tf1repro.tf1.`` fail the way attributes do.

    Sits last on ``sys.meta_path``, so it only sees names no real module answers:
    ``import tf1repro.tf1.contrib.slim`` raises the ``Unsupported`` that
    ``tf.contrib.slim`` raises, instead of a bare ``ModuleNotFoundError``.
    """

    PREFIX = "tf1repro.tf1."

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if not fullname.startswith(cls.PREFIX) or "._" in fullname[len("tf1repro"):]:
            return None
        parent_name, _, name = fullname.rpartition(".")
        parent = sys.modules.get(parent_name) or importlib.import_module(parent_name)
        tf_path = "tf" + fullname[len("tf1repro.tf1"):]
        try:
            getattr(parent, name)
        except AttributeError as error:
            raise ModuleNotFoundError(f"No module named {fullname!r} ({error})",
                                      name=fullname) from None
        # The name exists as an attribute (a tf.compat.v1 namespace): say how to reach it.
        raise ModuleNotFoundError(
            f"No module named {fullname!r}: {tf_path} is an attribute of tf1repro.tf1, "
            f"not a module; write `from {parent_name} import {name}`", name=fullname)


def install_finder():
    if ModulePathFinder not in sys.meta_path:
        sys.meta_path.append(ModulePathFinder)
