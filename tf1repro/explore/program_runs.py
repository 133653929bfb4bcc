"""One run of a grid: a user's TF 1.x program with one seed and one grid point, as a Ray task.

    result = run_program(folder, "lab.py", ["--its", "args"], 3, {"learning_rate": 0.01},
                         {"tf1_release": None}, threads=1)
    result["returncode"], result["error"], result["output"]   # its printed lines, as text

The run is ``./run.sh run`` (``runner.run_command.cmd_run``) in the worker
process Ray gives it (``max_calls=1``: a process of its own, which ends with
it): a script runs as ``__main__`` there, a notebook in a kernel of its own.
The grid point's values go in as ``-p NAME VALUE`` would put them, the seed as
``runner.seeding`` says.  The program works in ``folder``, where the files and
folders of the program's own folder appear as links (data it reads by a
relative path is found; what it writes is this run's).  Its stdout and stderr
go to ``folder/output.log``, which comes back to the driver as text.
"""

import os
import sys
import time

from tf1repro.errors import UserError
from tf1repro.explore.on_ray import node_name

OUTPUT = "output.log"
REPORT = "run.json"
# The -p mechanism (runner.parameters) carries the grid's values: the Namespace
# attribute run_command reads them from, as [NAME, VALUE-as-Python-literal] pairs.
OVERRIDE = "params"
# What the run itself writes into its folder: never a link to the program's folder.
OWN = {OUTPUT, REPORT, "command.json", "record.json"}


def link_program_folder(folder, program):
    """The program folder's entries as links in ``folder`` (not the run's own files)."""
    source = os.path.dirname(os.path.abspath(program))
    for name in os.listdir(source):
        here = os.path.join(folder, name)
        # Not the program itself: a notebook's executed copy is written in the folder.
        if name in OWN or name == os.path.basename(program) or name.startswith(".") \
                or os.path.lexists(here):
            continue
        os.symlink(os.path.join(source, name), here)


def _namespace(folder, program, args, values, options):
    from tf1repro.runner import run_command
    ns = run_command.defaults()  # every run flag at its default, then this run's
    ns.path, ns.args, ns.out, ns.report = program, list(args), folder, os.path.join(folder, REPORT)
    for name, value in options.items():
        setattr(ns, name, value)
    # -p's own pairs first, then the grid point's (parse_grid refuses a name in both).
    setattr(ns, OVERRIDE, [*getattr(ns, OVERRIDE, []),
                           *([name, repr(value)] for name, value in values.items())])
    return ns


def _last_line(text):
    """The program's last line (a traceback's says what failed), not the runner's ``# `` lines."""
    lines = [line.strip() for line in text.splitlines()
             if line.strip() and not line.startswith("# ")]
    return lines[-1] if lines else "no output"


def run_program(folder, program, args, seed, values, options, threads):
    """Run the program once in this process; ``{"returncode", "error", "output", "node", "seconds"}``."""
    import json
    from tf1repro.runner import run_command, seeding
    begin = time.perf_counter()
    node = node_name()
    if not os.path.isfile(program):
        return {"returncode": 2, "error": f"{program}: no such file on {node} (on a cluster the "
                "program's folder must be at the same path on every node)", "output": "",
                "node": node, "seconds": 0.0}
    os.makedirs(folder, exist_ok=True)
    link_program_folder(folder, program)
    os.environ[seeding.ENV] = str(seed)
    # TensorFlow's own pools (the program's Session() sets none) and BLAS: its Ray CPUs.
    for name in ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
                 "TF1REPRO_THREADS"):
        os.environ[name] = str(threads)
    log_path = os.path.join(folder, OUTPUT)
    saved = [os.dup(1), os.dup(2)]
    sys.stdout.flush()
    sys.stderr.flush()
    code, error = 1, None
    cwd = os.getcwd()
    with open(log_path, "w") as out:  # a retried run starts again from its first line
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        try:
            os.chdir(folder)
            code = run_command.cmd_run(_namespace(folder, program, args, values, options), print)
        except UserError as e:
            code, error = e.exit_code, f"tf1repro: error: {e}"
            print(error, file=sys.stderr)
        except Exception as e:  # a bug of the runner's: said in the run's log
            code, error = 1, f"{type(e).__name__}: {e}"
            print(error, file=sys.stderr)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.chdir(cwd)
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
    with open(log_path, errors="replace") as f:
        output = f.read()
    if code != 0 and error is None:
        try:
            with open(os.path.join(folder, REPORT)) as f:
                failures = json.load(f).get("failures") or []
        except (OSError, ValueError):
            failures = []
        error = (f"cell {failures[0]['cell']}: {failures[0]['error']}" if failures
                 else f"exit status {code}: {_last_line(output)}")
    return {"returncode": code, "error": error, "output": output, "node": node,
            "seconds": time.perf_counter() - begin}

