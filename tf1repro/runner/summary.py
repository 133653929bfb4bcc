"""The end of a run, for a person, and whose code a failure came from.

    lines(record)                          # "# summary: ...", failures, missing TF 1.x names
    failure(exc, [program_folder])         # {"error", "origin": "scikit-learn", "why": ...}

A program of the era fails today for three kinds of reasons: TF 1.x names
``tf1repro.tf1`` lacks (counted apart), TensorFlow's own behaviour, and the
program's other libraries, whose calls changed since (scikit-learn's
``RandomizedSearchCV.fit(X, y, fit_params=...)``).  ``origin`` reads the
traceback's files: an error raised inside a library's frame, reached from a
call of the program's, is that library's change, not TensorFlow's.  A call
whose arguments no longer fit (``TypeError: RandomizedSearchCV.__init__() got
an unexpected keyword argument 'fit_params'``) raises in the program's own
frame; the callee its message names is looked up there, and its module says
whose it is.  Scripts call ``failure`` on the exception; a kernel, on
``sys.last_value`` in a hidden cell after the failing one.
"""

import os
import re
import sysconfig

TENSORFLOW = ("tensorflow", "tf1repro", "tf_keras", "keras")
_STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"])
# A notebook's cells: IPython 8+ compiles them as /tmp/ipykernel_<pid>/<n>.py (older: <ipython-input-...>).
_CELL = re.compile(r"(^<ipython-input-)|([/\\]ipykernel_\d+[/\\]\d+\.py$)")
# Python's messages for a call whose arguments do not fit the callee: its qualified name first.
_BAD_CALL = re.compile(r"^([A-Za-z_][\w.]*)\(\) (got an unexpected keyword|got multiple values|takes |"
                       r"missing \d+ required)")
PROGRAM = "<the program>"


def _package(path):
    """The top-level package a library file belongs to (``sklearn``), from its path."""
    from tf1repro.runner.libraries import root
    envs = os.path.join(os.path.realpath(root()), "")
    real = os.path.realpath(path)
    if real.startswith(envs):  # <envs>/<environment>/<package>/...
        rest = real[len(envs):].split(os.sep)[1:]
        return os.path.splitext(rest[0])[0] if rest else None
    parts = os.path.normpath(path).split(os.sep)
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] in ("site-packages", "dist-packages"):
            rest = parts[i + 1:]
            return os.path.splitext(rest[0])[0] if rest else None
    return None


def _distribution(package):
    try:
        from importlib.metadata import packages_distributions
        names = packages_distributions().get(package)
    except Exception:  # metadata unreadable: the import name will do
        names = None
    return names[0] if names else package


def origin(frames, program_folders=()):
    """Whose code raised: PROGRAM, "TensorFlow", "Python", or a library's name; None if unknown."""
    program = tuple(os.path.join(os.path.realpath(f), "") for f in program_folders)

    def kind(path):
        package = _package(path)
        if path == PROGRAM or _CELL.search(path) or (
                package is None and os.path.realpath(path).startswith(program)):
            return PROGRAM
        if package is None:
            if os.path.realpath(path).startswith(_STDLIB + os.sep):
                return "Python"
            if "tf1repro" in path.split(os.sep):
                return "TensorFlow"
            return PROGRAM if path.startswith("<") else None
        return "TensorFlow" if package in TENSORFLOW else _distribution(package)

    # The innermost frame whose owner is known; Python's own (functools, ...) only pass a call on.
    kinds = [k for k in map(kind, frames) if k is not None]
    return next((k for k in reversed(kinds) if k != "Python"), kinds[-1] if kinds else None)


def _callee_owner(e, tb):
    """Whose function a call with arguments that no longer fit was aimed at: the name in
    Python's message, looked up in the calling frame; None when it cannot be told."""
    m = _BAD_CALL.match(str(e))
    if not isinstance(e, TypeError) or m is None or tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    head = m.group(1).split(".")[0]
    frame = tb.tb_frame
    target = frame.f_locals.get(head, frame.f_globals.get(head))
    module = getattr(target, "__module__", None) or getattr(type(target), "__module__", "")
    top = module.split(".")[0]
    if not top or top in ("__main__", "builtins") or top in TENSORFLOW:
        return "TensorFlow" if top in TENSORFLOW else None
    return _distribution(top)


def failure(e, program_folders=()):
    """A program's exception as the summary records it: its text, whose code, and why."""
    import traceback
    frames = [f.filename for f in traceback.extract_tb(e.__traceback__)]
    where = origin(frames, program_folders)
    if where in (PROGRAM, None):
        where = _callee_owner(e, e.__traceback__) or where
    error = f"{type(e).__name__}: {e}"
    return {"error": error, "origin": where, "why": explain(error, where)}


def explain(error, where):
    """A failure's cause in words, from its exception name and ``origin``."""
    if where is None:
        return None
    if where in (PROGRAM, "TensorFlow", "Python"):
        return None
    return (f"{where}'s side, reached from the program's call: a change in {where} since the "
            "program's era, or a release that does not run here; not TensorFlow's")


def _cut(text, n):
    return text if len(text) <= n else text[:n - 3] + "..."


def lines(record):
    """The end of a run: cells (or the status), failures and their origin, missing TF 1.x names."""
    if record["kind"] == "script":
        out = [f"# summary: {record['program']} exited with status {record['status']} "
               f"in {record['seconds']} s"]
        failure = record.get("failure")
        if failure and failure.get("why"):
            out.append(f"#   failed: {_cut(failure['error'], 120)}: {failure['why']}")
    else:
        c = record["cells"]
        out = [f"# summary: {c['run']} cells run, {c['failed']} failed, {c['skipped']} skipped "
               f"in {record['seconds']} s (kernel pid {record['kernel_pid']}, stopped); "
               f"wrote {record['executed']}"]
        out += [f"#   failed: {f['cell']} `{_cut(f['first_line'], 60)}`: {_cut(f['error'], 120)}"
                + (f" ({f['why']})" if f.get("why") else "")
                for f in record["failures"]]
    missing = record.get("missing")
    if missing is None:
        out.append("# TF 1.x names tf1repro.tf1 does not provide: unknown (the kernel died)")
    else:
        out.append("# TF 1.x names the program asked for that tf1repro.tf1 does not provide: "
                   + (", ".join(f"{k} ({n})" for k, n in missing.items()) or "none"))
    return out
