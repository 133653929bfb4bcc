"""The import rule, applied for the user: ``tensorflow`` in a program's own imports is ``tf1repro.tf1``.

    code = compile_program(source, path)     # the script, with its real file name and lines
    install_finder([folder])                 # modules found in the program's folder, the same
    get_ipython().ast_transformers.append(ImportRule())   # a kernel's cells, the same

Only the program's import statements change (an AST transform keeps every
line number), so libraries the program uses (Keras, matplotlib, scikit-learn,
TensorFlow itself) keep importing the real TensorFlow: ``sys.modules`` is
never aliased.  ``import tensorflow.contrib.layers`` still binds
``tensorflow``, as Python's own rule says; relative imports and packages
named like ``tensorflow_hub`` are left alone.
"""

import ast
import importlib.machinery
import importlib.util
import os
import sys

from tf1repro.runner import seeding

OLD, NEW = "tensorflow", "tf1repro.tf1"
# TensorFlow's internals (``from tensorflow.python.client import device_lib``,
# ``...saved_model.simple_save``, the protocol buffers of ``tensorflow.core`` such
# as ``rewriter_config_pb2``) stay the real TensorFlow's, but for the modules
# tf1repro rebuilds, which TF 1.x programs also imported from there.
INTERNAL = ("tensorflow.python", "tensorflow.core")
REBUILT = {"tensorflow.python.ops.rnn_cell": "tf1repro.tf1.rnn_cell",
           "tensorflow.python.ops.rnn_cell_impl": "tf1repro.tf1.rnn_cell",
           "tensorflow.python.ops.rnn": "tf1repro.runtime.rnn"}


def _renamed(module):
    """``tensorflow.x.y`` -> ``tf1repro.tf1.x.y``; None for any other module and for
    TensorFlow's internals (``tensorflow.python...``) that tf1repro does not rebuild."""
    module = module or ""
    if module in REBUILT:
        return REBUILT[module]
    if any(module == i or module.startswith(i + ".") for i in INTERNAL):
        return None
    if module == OLD or module.startswith(OLD + "."):
        return NEW + module[len(OLD):]
    return None


class ImportRule(ast.NodeTransformer):
    """Rewrites Import / ImportFrom nodes; IPython's ``ast_transformers`` takes it as it is."""

    def visit_Import(self, node):
        if not any(_renamed(a.name) for a in node.names):
            return node
        out = []
        for a in node.names:
            new = _renamed(a.name)
            if new is None:
                out.append(ast.Import(names=[a]))
            elif a.asname or "." not in a.name:
                out.append(ast.Import(names=[ast.alias(new, a.asname or OLD)]))
            else:
                # `import tensorflow.contrib.layers` loads the submodule and binds
                # `tensorflow`: load it (bound for a moment), then bind the top.
                out.append(ast.Import(names=[ast.alias(new, OLD)]))
                out.append(ast.Import(names=[ast.alias(NEW, OLD)]))
        return [ast.copy_location(n, node) for n in out]

    def visit_ImportFrom(self, node):
        if node.level:
            return node
        rebuilt = [a for a in node.names if f"{node.module}.{a.name}" in REBUILT]
        if rebuilt:  # `from tensorflow.python.ops import rnn, rnn_cell`: the package's own
            rest = [a for a in node.names if a not in rebuilt]
            out = [ast.ImportFrom(module=node.module, names=rest, level=0)] if rest else []
            for a in rebuilt:
                package, _, leaf = REBUILT[f"{node.module}.{a.name}"].rpartition(".")
                out.append(ast.ImportFrom(module=package, level=0,
                                          names=[ast.alias(leaf, a.asname or a.name)]))
            return [ast.copy_location(n, node) for n in out]
        new = _renamed(node.module)
        if new is not None:
            node.module = new
        return node


def rewrite(tree):
    """The tree with the rule applied (line numbers kept), and a grid run's seed (``seeding``)."""
    return seeding.rewrite(ast.fix_missing_locations(ImportRule().visit(tree)))


def compile_program(source, filename, mode="exec"):
    """Compile a program's source under the rule, with its real file name (tracebacks show it)."""
    return compile(rewrite(ast.parse(source, filename, mode)), filename, mode, dont_inherit=True)


class _RuleLoader(importlib.machinery.SourceFileLoader):
    """A module of the program's: compiled under the rule, never cached as bytecode."""

    def path_stats(self, path):
        # No stats, no .pyc: a cached rewritten module must never reach plain Python.
        raise OSError("no bytecode cache under the import rule")

    def source_to_code(self, data, path, *, _optimize=-1):
        return compile_program(importlib.util.decode_source(data), path)


class ProgramFinder:
    """Finds the program's own modules (in its folders) and loads them under the rule."""

    def __init__(self, folders):
        self.folders = [os.path.realpath(f) for f in folders]
        self.packages = set()  # the program's packages: their submodules are the program's too

    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in ("tf1repro", OLD):
            return None
        parent = fullname.rpartition(".")[0]
        if parent:
            if parent not in self.packages:
                return None
            spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        else:
            # Only where the program's folder comes first on sys.path, as Python looks.
            first = next((p for p in sys.path if self._find_in(fullname, p)), None)
            if first is None or os.path.realpath(first or ".") not in self.folders:
                return None
            spec = importlib.machinery.PathFinder.find_spec(fullname, [first])
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        spec.loader = _RuleLoader(fullname, spec.origin)
        if spec.submodule_search_locations is not None:
            self.packages.add(fullname)
        return spec

    @staticmethod
    def _find_in(fullname, entry):
        folder = entry or "."
        return (os.path.isfile(os.path.join(folder, fullname + ".py"))
                or os.path.isfile(os.path.join(folder, fullname, "__init__.py"))
                or any(os.path.isfile(os.path.join(folder, fullname + s))
                       for s in importlib.machinery.EXTENSION_SUFFIXES))


def install_finder(folders):
    """Put a ProgramFinder for ``folders`` first on ``sys.meta_path``; return it."""
    finder = ProgramFinder(folders)
    sys.meta_path.insert(0, finder)
    return finder
