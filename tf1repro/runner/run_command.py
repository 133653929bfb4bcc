"""``run``: a TF 1.x script or notebook, run as written (no edit) on today's TensorFlow.

    ./run.sh run train.py --epochs 3                 # python train.py --epochs 3, under the rule
    ./run.sh run nb.ipynb -p n_epochs 1 --keep-going # in a Jupyter kernel; the copy in --out

For a script, run's flags come before PATH and everything after PATH is the
script's (as ``python`` reads its command line); a notebook has no argv, so
run's flags may come anywhere.  The program's own imports of ``tensorflow``
become ``tf1repro.tf1`` (libraries keep the real one), NumPy's removed 1.x
names come back for it, and a summary ends the run (``--report FILE.json``:
the same as JSON).  Every flag is a row of ``FLAGS``; docs/running.md says
what each does.  Exit status: the
script's own; for a notebook 0, or 1 when a cell failed; 2 for bad input.
"""

import argparse
import json
import os
import sys
import time

from tf1repro.errors import UserError
from tf1repro.files import write_json
from tf1repro.runner import arithmetic, summary
from tf1repro.runtime.releases import DEFAULT, ENV as RELEASE_ENV, RELEASES


# run's own flags, in one place: (names, argparse keywords).  For a notebook they
# may come anywhere (a notebook has no argv); for a script only before PATH,
# since everything after it is the script's, as with `python PATH ARGS`.
FLAGS = [
    (["-p"], dict(dest="params", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                  help="papermill's: set NAME (a Python literal, else a string) once, after the "
                       "'parameters' cell, else after the first cell (script: statement) "
                       "assigning it; repeatable")),
    (["--set"], dict(dest="overrides", action="append", default=[], metavar="NAME=VALUE",
                     help="override EVERY assignment of NAME, in every cell, statement and "
                          "function, with VALUE (n_epochs=1 shortens each training cell); repeatable")),
    (["--smoke"], dict(action="store_true",
                       help="a quick run through every cell: each assignment of the era's epoch and "
                            "step counts (n_epochs, n_iterations, training_epochs, max_steps, ...) "
                            "to a whole number above 1 becomes 1; the header lists them")),
    (["--with"], dict(dest="libraries", action="append", default=[], metavar="REQ",
                      help="a library the program needs (scikit-learn, pandas==0.20.3), installed "
                           "beside .venv in .venv-programs/, an era pin mapped to the nearest "
                           "release that installs here; repeatable")),
    (["--requirements"], dict(metavar="FILE", default=None,
                              help="the program's requirements.txt, installed as --with")),
    (["--out"], dict(metavar="DIR", default=None,
                     help="notebook: the kernel's working directory and where the executed copy "
                          "goes (default: a new folder under checkpoints/run/)")),
    (["--keep-going"], dict(action="store_true",
                            help="notebook: record a failing cell and run the rest "
                                 "(default: stop, as Run All)")),
    (["--timeout"], dict(metavar="SECONDS", type=float, default=1800,
                         help="notebook: seconds a cell may run (default: 1800)")),
    (["--tf1-release"], dict(metavar="R", default=None,
                             help=f"the TF 1.x release to reproduce: {', '.join(RELEASES)}, or "
                                  "auto: the program's pin (requirements.txt, setup.py, "
                                  "environment.yml, Pipfile) (default: the notebook's metadata "
                                  f"tf1repro.tf1_release, else ${RELEASE_ENV}, else {DEFAULT})")),
    (["--tf1-arithmetic"], arithmetic.FLAG),
    (["--numpy-print"], dict(metavar="V", default=None,
                             help="np.set_printoptions(legacy=V), e.g. 1.13: a float32 prints "
                                  "0.792602 (default: NumPy's own printing)")),
    (["--report"], dict(metavar="FILE.json", default=None, help="write the summary as JSON")),
    (["-q", "--quiet"], dict(action="store_true",
                             help="no header or summary lines (a script's stdout is then only its own)")),
]

EPILOG = """\
examples:
  run train.py --epochs 3                  python train.py --epochs 3, under the import rule
  run --smoke train.py --epochs 3          run's flags before a script; after it, the script's
  run chapter11.ipynb --keep-going -p n_epochs 1   a notebook: run's flags anywhere
  run chapter11.ipynb --smoke --keep-going --with scikit-learn==0.19.1
"""


def usage_error(message):
    """argparse's usage errors as one line and exit 2, as every UserError is."""
    message = message.replace("PATH, ARGS", "PATH")  # ARGS may be empty: argparse's REMAINDER
    sys.stderr.write(f"tf1repro: error: run: {message} (see run --help)\n")
    sys.exit(2)


def _with_flags(parser, more_flags=None):
    """``parser`` with run's flags (``FLAGS``, then ``more_flags(parser)``'s) and one-line
    usage errors."""
    for names, keywords in FLAGS:
        parser.add_argument(*names, **keywords)
    if more_flags:
        more_flags(parser)
    parser.error = usage_error
    return parser


def defaults():
    """A Namespace with every flag of ``FLAGS`` at its default (a run built in code)."""
    return _with_flags(argparse.ArgumentParser(add_help=False)).parse_args([])


def add_command(sub, more_flags=None):
    """``run``'s parser; ``more_flags(parser)`` adds another part's flags (explore's grid),
    which a notebook may give after its path too."""
    p = sub.add_parser("run", help="run a TF 1.x script or notebook as written (no import edits)",
                       description="Run a TF 1.x script or notebook as written (no import edits) "
                                   "on today's TensorFlow.\nFor a script, run's flags come before PATH "
                                   "and everything after PATH is the script's;\na notebook has no "
                                   "argv: run's flags may come anywhere.",
                       usage="%(prog)s [flags] PATH [ARGS...]", epilog=EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("path", metavar="PATH", help="a .py script or a .ipynb notebook")
    p.add_argument("args", metavar="ARGS", nargs=argparse.REMAINDER,
                   help="a script's own arguments (its sys.argv[1:]); after a notebook, run's flags")
    _with_flags(p, more_flags)
    p.set_defaults(more_flags=more_flags)
    return p


def notebook_flags(args):
    """A notebook's words after PATH, read as run's flags into ``args`` (it has no argv)."""
    if os.path.splitext(args.path)[1].lower() != ".ipynb" or not args.args:
        return
    p = _with_flags(argparse.ArgumentParser(prog="run", add_help=False),
                    getattr(args, "more_flags", None))
    rest, args.args = args.args, []
    extra = p.parse_known_args(rest, namespace=args)[1]
    if extra:
        raise UserError(f"{args.path}: a notebook takes no program arguments, only run's flags "
                        f"(got {' '.join(extra)}); to set a value: -p NAME VALUE or --set NAME=VALUE")


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


def _release(flag, nb, path):
    """(release, where it came from); exported for the program or kernel before tf1repro.tf1 loads."""
    from tf1repro.runtime import releases
    if flag is not None and flag.strip().lower() == "auto":
        from tf1repro.runner import pins
        release, why = pins.choose(pins.find(path, nb))
        os.environ[RELEASE_ENV] = release
        return release, f"--tf1-release auto: {why}"
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
    notebook_flags(args)
    if not os.path.isfile(path):
        raise UserError(f"{path}: no such file")
    from tf1repro.runner import libraries, overrides, parameters
    values = parameters.parse(args.params)
    arithmetic.check(args.tf1_arithmetic)
    rules = overrides.parse(args.overrides, smoke=args.smoke)
    say = (lambda line: None) if args.quiet else log
    started = time.perf_counter()
    env = libraries.prepare(args.libraries, args.requirements, say)
    run = _run_script if kind == ".py" else _run_notebook
    record = run(args, values, rules, env, say)
    record["seconds"] = round(time.perf_counter() - started, 1)
    record["libraries"] = env and env.record()
    for line in summary.lines(record):
        say(line)
    if args.report:
        write_json(args.report, record)
    return record["status"]


def _say_overrides(done, rules, say):
    from tf1repro.runner import overrides
    if not rules:
        return
    say(f"# overrides ({overrides.describe_rules(rules)}): {len(done)} assignment(s) replaced"
        + (":" if done else ""))
    for line in overrides.describe(done):
        say(f"#   {line}")


def _run_script(args, values, rules, env, say):
    from tf1repro.runner import program
    try:
        code, where, done = program.load(args.path, values, rules)
    except SyntaxError as e:  # as Python shows it, and its status
        import traceback
        traceback.print_exception(type(e), e, None)
        return {"program": args.path, "kind": "script", "status": 1, "missing": {}}
    release, source = _release(args.tf1_release, None, args.path)
    say(f"# tf1repro run: {args.path} as __main__ (sys.argv[1:] = {args.args})")
    say(f"# TF 1.x release: {release or 'not set'} ({source})")
    say(arithmetic.apply(args.tf1_arithmetic, release))
    say("# imports: tensorflow is tf1repro.tf1 in the program and its folder's modules; "
        "libraries keep the real TensorFlow")
    say(program.prepare([os.path.dirname(os.path.abspath(args.path))], args.numpy_print,
                        libraries=env and env.folder))
    if where:
        say(f"# parameters: {where}")
    _say_overrides(done, rules, say)
    sys.stdout.flush()
    status, failure = program.run_script(args.path, args.args, code)
    return {"program": args.path, "kind": "script", "status": status, "release": release,
            "parameters": values, "overrides": _records(done), "failure": failure,
            "missing": program.missing_names()}


def _records(done):
    from tf1repro.runner import overrides
    return overrides.as_records(done)


def _run_notebook(args, values, rules, env, say):
    from tf1repro.runner import kernel, overrides, parameters
    kernel.require_jupyter()
    nb = _read_notebook(args.path)
    out = os.path.abspath(args.out) if args.out else default_out_dir()
    if os.path.realpath(os.path.join(out, os.path.basename(args.path))) == os.path.realpath(args.path):
        raise UserError(f"--out {out} is the notebook's own folder: the executed copy would "
                        "overwrite the original; choose another --out")
    kernel.set_labels(nb)
    where = parameters.inject_cells(nb, values, kernel.label)
    done = overrides.preview_cells(nb, rules, kernel.label)
    release, source = _release(args.tf1_release, nb, args.path)
    say(f"# tf1repro run: {args.path} in a Jupyter kernel, cell by cell"
        + (" (--keep-going)" if args.keep_going else " (stop at the first failing cell)"))
    say(f"# TF 1.x release: {release or 'not set'} ({source})")
    say(arithmetic.apply(args.tf1_arithmetic, release))  # before the kernel starts: it inherits the setting
    say("# imports: tensorflow is tf1repro.tf1 in the cells and the notebook folder's modules; "
        "libraries keep the real TensorFlow")
    if where:
        say(f"# parameters: {where}")
    _say_overrides(done, rules, say)
    record = kernel.run_notebook(nb, args.path, out, keep_going=args.keep_going,
                                 timeout=args.timeout, numpy_print=args.numpy_print, log=say,
                                 rules=overrides.source(rules), libraries=env and env.folder)
    failed = record["failures"]
    if failed and not args.keep_going:
        f = failed[0]
        print(f"tf1repro: error: the notebook's cell {f['cell']} failed: {f['error']}; the "
              f"executed notebook, with the traceback, is {record['executed']}", file=sys.stderr)
    return {"program": args.path, "kind": "notebook", "status": 1 if failed else 0,
            "release": release, "parameters": values, "overrides": _records(done), **record}


