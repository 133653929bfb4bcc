"""``run``: a TF 1.x script or notebook, run as written (no edit) on today's TensorFlow.

    ./run.sh run train.py --epochs 3                 # python train.py --epochs 3, under the rule
    ./run.sh run nb.ipynb -p n_epochs 1 --keep-going # in a Jupyter kernel; the copy in --out

Runner flags come before PATH; everything after PATH is the program's.  The
program's own imports of ``tensorflow`` become ``tf1repro.tf1`` (libraries keep
the real one), NumPy's removed 1.x names come back for it, and a summary
ends the run (``--report FILE.json``: the same as JSON).  Exit status: the
script's own; for a notebook 0, or 1 when a cell failed; 2 for bad input.
"""

import argparse
import json
import os
import sys
import time

from tf1repro.errors import UserError
from tf1repro.files import write_json
from tf1repro.runtime.releases import DEFAULT, ENV as RELEASE_ENV, RELEASES


def add_command(sub):
    p = sub.add_parser("run", help="run a TF 1.x script or notebook as written (no import edits)",
                       description="Run a TF 1.x script or notebook as written (no import edits) on today's TensorFlow.",
                       usage="%(prog)s [flags] PATH [ARGS...]")
    p.add_argument("path", metavar="PATH", help="a .py script or a .ipynb notebook")
    p.add_argument("args", metavar="ARGS", nargs=argparse.REMAINDER,
                   help="the program's own arguments (sys.argv[1:] of a script)")
    p.add_argument("-p", dest="params", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"),
                   help="papermill's: set NAME (a Python literal, else a string) after the "
                        "'parameters' cell, else after the first cell (script: statement) "
                        "assigning it; repeatable")
    p.add_argument("--out", metavar="DIR", default=None,
                   help="notebook: the kernel's working directory and where the executed copy "
                        "goes (default: a new folder under checkpoints/run/)")
    p.add_argument("--keep-going", action="store_true",
                   help="notebook: record a failing cell and run the rest (default: stop, as Run All)")
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=1800,
                   help="notebook: seconds a cell may run (default: 1800)")
    p.add_argument("--tf1-release", metavar="R", default=None,
                   help=f"the TF 1.x release to reproduce: {', '.join(RELEASES)} (default: the "
                        f"notebook's metadata tf1repro.tf1_release, else ${RELEASE_ENV}, else {DEFAULT})")
    p.add_argument("--numpy-print", metavar="V", default=None,
                   help="np.set_printoptions(legacy=V), e.g. 1.13: a float32 prints 0.792602 "
                        "(default: NumPy's own printing)")
    p.add_argument("--report", metavar="FILE.json", default=None, help="write the summary as JSON")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no header or summary lines (a script's stdout is then only its own)")
    return p  # explore.commands adds --seeds, --grid, --seed (a grid on Ray) to it


def default_out_dir():
    base = os.path.abspath(os.path.join("checkpoints", "run", time.strftime("%Y%m%d-%H%M%S")))
    out, n = base, 1
    while os.path.exists(out):
        n += 1
        out = f"{base}-{n}"
    return out


def _read_notebook(path):
    import nbformat
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UserError(f"{path}: not a notebook (not valid JSON: {e})") from None
    try:
        return nbformat.from_dict(nbformat.convert(nbformat.from_dict(raw), 4)) \
            if raw.get("nbformat") != 4 else nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as e:  # nbformat's own validation errors
        raise UserError(f"{path}: not a notebook nbformat can read ({e})") from None


def _release(flag, nb):
    """(release, where it came from); exported for the program or kernel before tf1repro.tf1 loads."""
    from tf1repro.runtime import releases
    meta = (nb.metadata.get("tf1repro", {}) if nb is not None else {}).get("tf1_release")
    release, source = ((flag, "--tf1-release") if flag else
                       (str(meta), "the notebook's metadata") if meta else
                       (os.environ.get(RELEASE_ENV), f"${RELEASE_ENV}"))
    if not release:
        release, source = DEFAULT, "tf1repro.tf1's default"
    release = releases.check(release).name  # an unknown release: one line, exit 2
    os.environ[RELEASE_ENV] = release
    return release, source


def cmd_run(args, log):
    path = args.path
    kind = os.path.splitext(path)[1].lower()
    if kind not in (".py", ".ipynb"):
        raise UserError(f"{path}: cannot run a '{kind or 'extensionless'}' file; "
                        "give a .py script or a .ipynb notebook")
    if not os.path.isfile(path):
        raise UserError(f"{path}: no such file")
    from tf1repro.runner import parameters
    values = parameters.parse(args.params)
    say = (lambda line: None) if args.quiet else log
    started = time.perf_counter()
    if kind == ".py":
        record = _run_script(args, values, say)
    else:
        record = _run_notebook(args, values, say)
    record["seconds"] = round(time.perf_counter() - started, 1)
    for line in summary_lines(record):
        say(line)
    if args.report:
        write_json(args.report, record)
    return record["status"]


def _run_script(args, values, say):
    from tf1repro.runner import program
    try:
        code, where = program.load(args.path, values)
    except SyntaxError as e:  # as Python shows it, and its status
        import traceback
        traceback.print_exception(type(e), e, None)
        return {"program": args.path, "kind": "script", "status": 1, "missing": {}}
    release, source = _release(args.tf1_release, None)
    say(f"# tf1repro run: {args.path} as __main__ (sys.argv[1:] = {args.args})")
    say(f"# TF 1.x release: {release or 'not set'} ({source})")
    say("# imports: tensorflow is tf1repro.tf1 in the program and its folder's modules; "
        "libraries keep the real TensorFlow")
    say(program.prepare([os.path.dirname(os.path.abspath(args.path))], args.numpy_print))
    if where:
        say(f"# parameters: {where}")
    sys.stdout.flush()
    status = program.run_script(args.path, args.args, code)
    return {"program": args.path, "kind": "script", "status": status, "release": release,
            "parameters": values, "missing": program.missing_names()}


def _run_notebook(args, values, say):
    from tf1repro.runner import kernel, parameters
    kernel.require_jupyter()
    if args.args:
        raise UserError(f"a notebook takes no program arguments (got {args.args}); use -p NAME VALUE")
    nb = _read_notebook(args.path)
    out = os.path.abspath(args.out) if args.out else default_out_dir()
    if os.path.realpath(os.path.join(out, os.path.basename(args.path))) == os.path.realpath(args.path):
        raise UserError(f"--out {out} is the notebook's own folder: the executed copy would "
                        "overwrite the original; choose another --out")
    kernel.set_labels(nb)
    where = parameters.inject_cells(nb, values, kernel.label)
    release, source = _release(args.tf1_release, nb)
    say(f"# tf1repro run: {args.path} in a Jupyter kernel, cell by cell"
        + (" (--keep-going)" if args.keep_going else " (stop at the first failing cell)"))
    say(f"# TF 1.x release: {release or 'not set'} ({source})")
    say("# imports: tensorflow is tf1repro.tf1 in the cells and the notebook folder's modules; "
        "libraries keep the real TensorFlow")
    if where:
        say(f"# parameters: {where}")
    record = kernel.run_notebook(nb, args.path, out, keep_going=args.keep_going,
                                 timeout=args.timeout, numpy_print=args.numpy_print, log=say)
    failed = record["failures"]
    if failed and not args.keep_going:
        f = failed[0]
        print(f"tf1repro: error: the notebook's cell {f['cell']} failed: {f['error']}; the "
              f"executed notebook, with the traceback, is {record['executed']}", file=sys.stderr)
    return {"program": args.path, "kind": "notebook", "status": 1 if failed else 0,
            "release": release, "parameters": values, **record}


def _cut(text, n):
    return text if len(text) <= n else text[:n - 3] + "..."


def summary_lines(record):
    """The end of a run, for a person: cells (or the status), failures, missing TF 1.x names."""
    if record["kind"] == "script":
        lines = [f"# summary: {record['program']} exited with status {record['status']} "
                 f"in {record['seconds']} s"]
    else:
        c = record["cells"]
        lines = [f"# summary: {c['run']} cells run, {c['failed']} failed, {c['skipped']} skipped "
                 f"in {record['seconds']} s (kernel pid {record['kernel_pid']}, stopped); "
                 f"wrote {record['executed']}"]
        lines += [f"#   failed: {f['cell']} `{_cut(f['first_line'], 60)}`: {_cut(f['error'], 120)}"
                  for f in record["failures"]]
    missing = record.get("missing")
    if missing is None:
        lines.append("# TF 1.x names tf1repro.tf1 does not provide: unknown (the kernel died)")
    else:
        lines.append("# TF 1.x names the program asked for that tf1repro.tf1 does not provide: "
                     + (", ".join(f"{k} ({n})" for k, n in missing.items()) or "none"))
    return lines
