"""A TF 1.x script run as ``python PATH ARGS`` would run it, under the import rule.

    prepare([folder], numpy_print="1.13")     # the era's NumPy, the rule for the folder's modules
    status, failure = run_script(path, args)  # as __main__; the program's exit status

The script is compiled with its real file name, so a traceback shows the
user's file and lines; the runner's own frames are left out of it, as
Python's ``-m runpy`` leaves out its own.  ``missing_names()`` counts the TF
1.x names the program asked for that ``tf1repro.tf1`` does not provide.
"""

import ast
import os
import sys
import traceback
import types

from tf1repro.errors import UserError
from tf1repro.runner import era_numpy, import_rule, overrides, parameters, seeding, summary


def prepare(folders, numpy_print=None, ipython=None, rules=None, libraries=None):
    """The era's NumPy, the import rule and the program's libraries (a folder, last on
    sys.path: .venv's own packages come first), in this process, and for this IPython's
    cells the rule and the ``--set`` overrides; the header.  With a run's seed
    (``seeding.current()``) its rule too, and the generators seeded."""
    header = era_numpy.install(numpy_print)
    import_rule.install_finder(folders)
    if libraries and libraries not in sys.path:
        sys.path.append(libraries)
    seed = seeding.current()
    if ipython is not None:
        ipython.ast_transformers.append(import_rule.ImportRule())
        if rules:
            ipython.ast_transformers.append(overrides.Overrides(rules))
        if seed is not None:
            ipython.ast_transformers.append(seeding.SeedRule(seed))
    if seed is not None:
        seeding.start(seed)
        header += "\n" + seeding.header(seed)
    return header


def missing_names():
    """{name: times asked} of TF 1.x names ``tf1repro.tf1`` refused in this process."""
    namespace = sys.modules.get("tf1repro.tf1._namespace")
    return dict(namespace.asked.most_common()) if namespace is not None else {}


def _status(exit_code):
    """SystemExit's code as the process status, as Python's own exit does it."""
    if exit_code is None:
        return 0
    if isinstance(exit_code, int):
        return exit_code
    print(exit_code, file=sys.stderr)
    return 1


def load(path, values=None, rules=None):
    """The script's code under the rule (``values`` injected, ``rules`` overriding), where the
    values went and what was overridden; SyntaxError as Python's."""
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
    except OSError as e:
        raise UserError(f"{path}: cannot read the program ({e.strerror})") from None
    where = parameters.inject_statements(tree, values) if values else None
    changed = overrides.Overrides(rules or {}, os.path.basename(path))
    tree = changed.visit(tree)
    return compile(import_rule.rewrite(tree), path, "exec", dont_inherit=True), where, changed.done


def run_script(path, args, code):
    """Run ``code`` (``load(path)``) as ``__main__`` with ``sys.argv = [path, *args]``; the
    status, and the failure (its error, and whose code raised it) or None."""
    sys.argv = [path, *args]
    # `python PATH` puts the script's folder first, not the working directory (`-m`'s).
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path.pop(0)
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    main = types.ModuleType("__main__")
    main.__file__ = path
    main.__builtins__ = __builtins__
    main.__spec__ = main.__loader__ = main.__package__ = None
    runner_main = sys.modules["__main__"]
    sys.modules["__main__"] = main
    try:
        exec(code, main.__dict__)
        return 0, None
    except SystemExit as e:
        return _status(e.code), None
    except KeyboardInterrupt as e:
        _print_user_traceback(e)
        return 130, None
    except BaseException as e:  # the user's error, shown as Python shows it
        _print_user_traceback(e)
        return 1, summary.failure(e, [os.path.dirname(os.path.abspath(path))])
    finally:
        sys.stdout.flush()
        sys.modules["__main__"] = runner_main


def _print_user_traceback(e):
    tb = e.__traceback__
    # Our own frame (run_script) is the first; the user's begin after it.
    if tb is not None and tb.tb_frame.f_code is run_script.__code__:
        tb = tb.tb_next
    sys.stdout.flush()
    traceback.print_exception(type(e), e, tb)
