"""The commands that look at runs and train many: plot, compare, sweep, ablation.

    ./run.sh plot RUN [RUN ...] -o curves.png      validation accuracy per epoch, notebook's over it
    ./run.sh compare RUN [--sweep DIR/sweep.json]  per epoch: run, notebook, difference, seed spread
    ./run.sh sweep --seeds 5 [--jobs 2] [--address HOST:PORT] [--out DIR] [train flags]
    ./run.sh ablation [--seeds 3] [--learning-rates 0.01,0.1,1.0] [--address HOST:PORT]

Parsing and calling only: records (``records``), pictures (``drawing``),
sweeps (``sweeps``) on Ray (``on_ray``).  ``cli`` registers these commands.
"""

import os

from tf1repro import argtypes
from tf1repro.cells.config import LOOPS, VARIANTS, Config
from tf1repro.errors import UserError

DEFAULTS = Config()


def add_commands(sub):
    """Register plot, compare, sweep and ablation on the CLI's subparsers."""
    fmt = argtypes.Defaults

    p = sub.add_parser("plot", formatter_class=fmt,
                       help="draw validation accuracy per epoch of runs over the notebook's")
    p.add_argument("runs", nargs="+", metavar="RUN",
                   help="a folder written by train, its metrics.json, or its checkpoint path")
    p.add_argument("-o", "--output", metavar="PNG", default="curves.png", help="picture to write")
    p.add_argument("--label", action="append", metavar="TEXT",
                   help="legend label, once per RUN in order (default: folder and seed)")

    c = sub.add_parser("compare", formatter_class=fmt,
                       help="per epoch: a run's validation accuracy, the notebook's, the difference")
    c.add_argument("run", metavar="RUN",
                   help="a folder written by train, its metrics.json, or its checkpoint path")
    c.add_argument("--sweep", metavar="SWEEP_JSON", default=None,
                   help="a sweep.json: judge each difference against its seed-to-seed spread")

    def common(p, seeds, out):
        p.add_argument("--seeds", type=argtypes.positive_int, default=seeds,
                       help="how many seeds: 1 .. N")
        p.add_argument("--jobs", type=argtypes.positive_int, default=None,
                       help="trainings at a time (default: one per core here; with --address, "
                            "as many as the cluster's CPUs fit)")
        p.add_argument("--threads", type=argtypes.positive_int, default=None,
                       help="TensorFlow threads (and Ray CPUs) per training (default: "
                            "cores // jobs here; 1 with --address)")
        p.add_argument("--address", metavar="HOST:PORT", default=None,
                       help="run on this Ray cluster (token authentication on; docs/clusters.md) "
                            "(default: $RAY_ADDRESS, else a private Ray instance on 127.0.0.1)")
        p.add_argument("--epochs", type=argtypes.positive_int, default=DEFAULTS.epochs,
                       help="epochs per training")
        p.add_argument("--out", metavar="DIR", default=out,
                       help="folder for the trainings (seed-N/) and the summary")
        p.add_argument("--batch-size", type=argtypes.batch_size, default=DEFAULTS.batch_size,
                       help="train flag")
        argtypes.add_data_dir(p)

    s = sub.add_parser("sweep", formatter_class=fmt,
                       help="train N seeds on Ray; per-epoch band of validation accuracy")
    common(s, 5, "sweep")
    s.add_argument("--learning-rate", type=argtypes.positive_float,
                   default=DEFAULTS.learning_rate, help="train flag")
    s.add_argument("--variant", choices=VARIANTS, default=DEFAULTS.variant, help="train flag")
    s.add_argument("--loop", choices=LOOPS, default=LOOPS[0], help="train flag")
    s.add_argument("--no-batch-norm", dest="batch_norm", action="store_false",
                   help="train flag: the network without batch norm")

    a = sub.add_parser("ablation", formatter_class=fmt,
                       help="sweep with and without batch norm over learning rates, on Ray")
    common(a, 3, "ablation")
    a.add_argument("--learning-rates", type=argtypes.learning_rates, default=[0.01, 0.1, 1.0],
                   metavar="LR,LR,...", help="learning rates to try")
    return {"plot": cmd_plot, "compare": cmd_compare, "sweep": cmd_sweep,
            "ablation": cmd_ablation}


def cmd_plot(args, log):
    from tf1repro.explore.drawing import plot_runs
    from tf1repro.explore.records import load_run
    records = [load_run(run) for run in args.runs]
    if args.label and len(args.label) != len(records):
        raise UserError(f"{len(args.label)} --label for {len(records)} runs: give one per RUN")
    log(f"# wrote {plot_runs(records, args.output, labels=args.label)}")


def cmd_compare(args, log):
    from tf1repro.explore.records import compare_rows, format_compare, load_run, load_sweep
    record = load_run(args.run)
    summary = load_sweep(args.sweep) if args.sweep else None
    for line in format_compare(record, compare_rows(record, summary), args.sweep, summary):
        log(line)


def train_flags(args):
    """The train flags a sweep passes on, those that differ from train's defaults, as
    ``{"batch_size": 1000, ...}``; ``sweeps.argv_of`` gives their argv form."""
    flags = {}
    if args.batch_size != DEFAULTS.batch_size:
        flags["batch_size"] = args.batch_size
    if getattr(args, "learning_rate", DEFAULTS.learning_rate) != DEFAULTS.learning_rate:
        flags["learning_rate"] = args.learning_rate
    if getattr(args, "variant", DEFAULTS.variant) != DEFAULTS.variant:
        flags["variant"] = args.variant
    if getattr(args, "loop", LOOPS[0]) != LOOPS[0]:
        flags["loop"] = args.loop
    if not getattr(args, "batch_norm", True):
        flags["batch_norm"] = False
    return flags


def _cluster(args, log):
    from tf1repro.explore.on_ray import Cluster
    data_dir = os.path.abspath(os.path.expanduser(args.data_dir)) if args.data_dir else None
    return Cluster(args.address, jobs=args.jobs, threads=args.threads, data_dir=data_dir, log=log)


def cmd_sweep(args, log):
    from tf1repro.explore import sweeps
    with _cluster(args, log) as cluster:
        summary = sweeps.sweep(args.out, range(1, args.seeds + 1), args.epochs, train_flags(args),
                               cluster.run, log=log)
    for line in sweeps.format_sweep(summary):
        log(line)
    return 1 if summary["failed"] else 0


def cmd_ablation(args, log):
    from tf1repro.explore import sweeps
    with _cluster(args, log) as cluster:
        result = sweeps.ablation(args.out, range(1, args.seeds + 1), args.learning_rates,
                                 args.epochs, train_flags(args), cluster.run, log=log)
    for line in sweeps.format_ablation(result):
        log(line)
    return 1 if any(cell["failed"] for cell in result["cells"]) else 0


# --- run over seeds and a grid (``./run.sh run --seeds N --grid NAME=V1,V2 PROGRAM``) ----------

def add_grid_flags(p):
    """The flags that make ``run`` (``runner.run_command``'s parser ``p``) a grid on Ray."""
    g = p.add_argument_group("seeds and a grid, on Ray (docs/grids.md)")
    g.add_argument("--seeds", type=argtypes.positive_int, default=None, metavar="N",
                   help="run the program with seeds 1..N, each a Ray task (see --seed)")
    g.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                   help="also over these values of NAME, set as -p sets it; repeatable (a grid)")
    g.add_argument("--seed", type=int, default=None, metavar="S",
                   help="one run with seed S: the program's tf.set_random_seed(x), "
                        "np.random.seed(x), random.seed(x) run with x + S")
    g.add_argument("--pattern", metavar="REGEX", default=None,
                   help="read the printed lines with this regex: named groups are series, "
                        "(?P<step>...) their counter (default: the era's 'epoch ... accuracy: x' "
                        "and 'step, loss' lines)")
    g.add_argument("--address", metavar="HOST:PORT", default=None,
                   help="run on this Ray cluster (token authentication on; docs/clusters.md) "
                        "(default: $RAY_ADDRESS, else a private Ray instance on 127.0.0.1)")
    g.add_argument("--jobs", type=argtypes.positive_int, default=None,
                   help="runs at a time (default: one per core here; with --address, as many "
                        "as the cluster's CPUs fit)")
    g.add_argument("--threads", type=argtypes.positive_int, default=None,
                   help="TensorFlow threads (and Ray CPUs) per run (default: cores // jobs "
                        "here; 1 with --address)")
    return p


def parse_grid(texts, params):
    """``["learning_rate=0.01,0.1"]`` as ``{"learning_rate": [0.01, 0.1]}``, each value read as -p reads it."""
    from tf1repro.runner import parameters
    grid = {}
    for text in texts:
        name, eq, values = text.partition("=")
        name = name.strip()
        if not eq or not values.strip():
            raise UserError(f"--grid {text}: expected NAME=V1,V2,... (e.g. learning_rate=0.01,0.1)")
        if name in grid or name in dict(params):
            raise UserError(f"--grid {text}: {name} is given twice (--grid or -p)")
        grid[name] = [parameters.parse([[name, v.strip()]])[name] for v in values.split(",")]
    return grid


def cmd_run(args, log):
    """``run``: one run as ``runner.run_command`` runs it, or, with --seeds/--grid, a grid on Ray."""
    from tf1repro.runner import run_command, seeding
    run_command.notebook_flags(args)  # a notebook's flags after its path: --seeds too
    if args.seeds is None and not args.grid:
        for flag in ("pattern", "address", "jobs", "threads"):
            if getattr(args, flag) is not None:
                raise UserError(f"--{flag} is a grid's: give --seeds N (and --grid NAME=V1,V2)")
        if args.seed is not None:
            os.environ[seeding.ENV] = str(args.seed)
        return run_command.cmd_run(args, log)
    from tf1repro.explore import grids, series
    if args.seed is not None:
        raise UserError("--seed is one run's; a grid's seeds are 1..N with --seeds N")
    if not os.path.isfile(args.path):
        raise UserError(f"{args.path}: no such file")
    grid = parse_grid(args.grid, args.params)
    pattern = series.compile_pattern(args.pattern) if args.pattern else None
    stem = os.path.splitext(os.path.basename(args.path))[0]
    out = args.out or os.path.join("checkpoints", "grid", stem)
    options = {name: getattr(args, name) for name in (
        "params", "overrides", "smoke", "libraries", "requirements", "tf1_release",
        "tf1_arithmetic", "numpy_print", "keep_going", "timeout")}
    from tf1repro.explore.on_ray import Cluster
    with Cluster(args.address, jobs=args.jobs, threads=args.threads, log=log) as cluster:
        summary = grids.grid(out, args.path, args.args, range(1, (args.seeds or 1) + 1), grid,
                             options, cluster.run, pattern=pattern, log=log)
    for line in grids.format_grid(summary):
        log(line)
    if args.report:  # the grid's summary, as OUT/grid.json holds it
        from tf1repro.files import write_json
        write_json(args.report, summary)
    return 1 if any(p["failed"] for p in summary["points"]) else 0
