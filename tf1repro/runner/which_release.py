"""``which-release``: which TF 1.x release printed a program's recorded output, measured.

    ./run.sh which-release lab.ipynb                        # the pin's release and its neighbours
    ./run.sh which-release train.py --recorded train.log --candidates all

The program is rerun under each candidate release, each in its own process
(``python -m tf1repro.runner.which_release --worker ...``, which runs it as
``run`` would: a script as ``__main__``, a notebook in its own kernel with
``--keep-going``), and the lines it prints are compared with the recorded
ones (``recorded``): a notebook's saved outputs, cell by cell, or a script's
log given with ``--recorded``.  The table says per release how many recorded
lines came out identical; the best is named, ties going to the pin's release,
else the earliest.  The pin (``pins``) only chooses the candidates.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

from tf1repro.errors import UserError
from tf1repro.runner import arithmetic, pins, recorded
from tf1repro.runtime import releases


def add_command(sub):
    p = sub.add_parser("which-release",
                       help="rerun a program under each candidate TF 1.x release; the one that "
                            "reproduces its recorded output best",
                       description="Rerun a TF 1.x program under each candidate release (each in "
                                   "its own process) and count the recorded lines each reproduces.")
    p.add_argument("path", metavar="PATH", help="a .ipynb notebook with saved outputs, or a .py "
                                                "script with --recorded LOG")
    p.add_argument("--recorded", metavar="LOG", default=None,
                   help="script: the output it printed when published (a log file)")
    p.add_argument("--candidates", metavar="WHICH", default="near",
                   help="near: the pin's release and one either side (all when nothing is "
                        "pinned); all; or a list, 1.2,1.3 (default: near)")
    p.add_argument("--numpy-print", metavar="V", default=None, help="as run's")
    arithmetic.add_flag(p)
    p.add_argument("--timeout", metavar="SECONDS", type=float, default=1800,
                   help="seconds one rerun may take (default: 1800)")
    p.add_argument("--report", metavar="FILE.json", default=None, help="write the table as JSON")


def candidates(which, pin_release):
    if which == "all" or (which == "near" and pin_release is None):
        return list(releases.RELEASES)
    if which == "near":
        return pins.neighbours(pin_release)
    names = [releases.check(name).name for name in which.split(",") if name.strip()]
    if not names:
        raise UserError(f"--candidates {which!r}: give near, all, or releases like 1.2,1.3")
    return list(dict.fromkeys(names))


def _recorded_of(args, nb):
    if nb is not None:
        if args.recorded:
            raise UserError("--recorded is for a script; a notebook's recorded output is its own "
                            "saved outputs")
        rec = recorded.from_notebook(nb)
        if not recorded.count(rec):
            raise UserError(f"{args.path}: the notebook has no saved outputs to compare with "
                            "(it was saved cleared)")
        return rec, "its saved outputs"
    if not args.recorded:
        raise UserError(f"{args.path}: a script carries no recorded output; give the log it "
                        "printed with --recorded LOG")
    rec = recorded.from_log(args.recorded)
    if not recorded.count(rec):
        raise UserError(f"{args.recorded}: no recorded lines in it")
    return rec, args.recorded


def _rerun(args, release, kind, scratch):
    """Run the program under ``release`` in a new process; (printed {cell: lines}, seconds, status)."""
    out = os.path.join(scratch, release)
    flags = ["--tf1-release", release, "--tf1-arithmetic", args.tf1_arithmetic, "-q"]
    if args.numpy_print:
        flags += ["--numpy-print", args.numpy_print]
    if kind == ".ipynb":
        flags += ["--keep-going", "--out", out, "--timeout", str(args.timeout)]
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "tf1repro.runner.which_release", "--worker",
                               *flags, args.path], capture_output=True, text=True,
                              timeout=args.timeout, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return {}, round(time.perf_counter() - started, 1), "timeout"
    seconds = round(time.perf_counter() - started, 1)
    if kind != ".ipynb":
        return {"": recorded.lines(done.stdout)}, seconds, done.returncode
    executed = os.path.join(out, os.path.basename(args.path))
    if not os.path.exists(executed):
        return {}, seconds, done.returncode
    from tf1repro.runner.run_command import _read_notebook
    return recorded.from_notebook(_read_notebook(executed)), seconds, done.returncode


def cmd_which_release(args, log):
    path, kind = args.path, os.path.splitext(args.path)[1].lower()
    if kind not in (".py", ".ipynb"):
        raise UserError(f"{path}: give a .py script or a .ipynb notebook")
    if not os.path.isfile(path):
        raise UserError(f"{path}: no such file")
    arithmetic.check(args.tf1_arithmetic)
    nb = None
    if kind == ".ipynb":
        from tf1repro.runner.run_command import _read_notebook
        nb = _read_notebook(path)
    rec, source = _recorded_of(args, nb)
    pin = pins.find(path, nb)
    pin_release, why = pins.choose(pin) if pin else (None, "nothing pinned")
    names = candidates(args.candidates, pin_release)
    log(f"# which release printed {path}: {recorded.count(rec)} recorded lines ({source})")
    log(f"# pin: {why}; candidates: {', '.join(names)}; each rerun in its own process, "
        f"--tf1-arithmetic {args.tf1_arithmetic}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="tf1repro-which-") as scratch:
        for name in names:
            printed, seconds, status = _rerun(args, name, kind, scratch)
            same, total, miss = recorded.identical(rec, printed)
            rows.append({"release": name, "identical": same, "recorded": total,
                         "seconds": seconds, "status": status,
                         "first_difference": list(miss) if miss else None})
            note = "" if miss is None else f"  first not reproduced: {_cut(miss[1])!r}"
            note += "" if status == 0 else f"  (exit status {status})"
            log(f"{name:>6}  {same:>4} of {total} identical  {seconds:>6} s{note}")
    best = max(rows, key=lambda r: (r["identical"], r["release"] == pin_release,
                                    -names.index(r["release"])))
    ties = [r["release"] for r in rows if r["identical"] == best["identical"] and r is not best]
    undecided = len(rows) > 1 and len(ties) == len(rows) - 1
    if undecided:
        log(f"# best: none stands out: every candidate reproduces {best['identical']} of "
            f"{best['recorded']} recorded lines (the recorded output does not tell them apart)")
    else:
        log(f"# best: {best['release']} ({best['identical']} of {best['recorded']} recorded lines "
            f"identical" + (f"; as many: {', '.join(ties)}" if ties else "") + ")"
            + ("" if best["release"] != pin_release or not ties else "; the pin's among equals"))
    if args.report:
        from tf1repro.files import write_json
        write_json(args.report, {"program": path, "pin": why, "best": None if undecided else best["release"],
                                "rows": rows})
    return 0


def _cut(text, n=60):
    return text if len(text) <= n else text[:n - 3] + "..."


def _worker(argv):
    """``--worker RUN-FLAGS PATH``: the program run as ``run`` runs it, in this new process."""
    from tf1repro.runner import run_command
    parser = argparse.ArgumentParser(prog="which-release --worker")
    run_command.add_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["run", *argv])
    try:
        return run_command.cmd_run(args, print)
    except UserError as e:
        print(f"tf1repro: error: {e}", file=sys.stderr)
        return e.exit_code


if __name__ == "__main__":
    if sys.argv[1:2] != ["--worker"]:
        sys.exit("usage: python -m tf1repro.runner.which_release --worker RUN-FLAGS PATH")
    sys.exit(_worker(sys.argv[2:]))
