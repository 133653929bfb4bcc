"""Command line: parse, then call the library.

    ./run.sh [train] [--epochs N] ...   train as In [21] does, print its log, save
    ./run.sh vars [--checkpoint PATH]   In [22]: the trainable variable names
    ./run.sh eval --checkpoint PATH     restore and print validation/test accuracy
    ./run.sh test                       the test suite
    ./run.sh plot|compare|sweep|ablation   look at runs; seeds and batch norm on Ray (tf1repro.explore)

``python -m tf1repro`` and the ``tf1repro`` script take the same commands.
"""

import argparse
import importlib.util
import os
import sys

from tf1repro import argtypes, files
from tf1repro.bench import command as bench
from tf1repro.explore import commands as explore
from tf1repro.argtypes import add_data_dir, positive_float, positive_int
from tf1repro.explore.drawing import PlotFlag
from tf1repro.cells.config import LOOPS, VARIANTS, Config
from tf1repro.errors import UserError
from tf1repro.runner import run_command, which_release

DEFAULTS = Config()
COMMANDS = ("train", "vars", "eval", "test")


def default_checkpoint():
    # run.sh points this at the repository's checkpoints/ folder, so the
    # default does not depend on the directory ./run.sh is called from.
    return os.environ.get("TF1REPRO_CHECKPOINT", os.path.join("checkpoints", "my_model_final.ckpt"))


def build_parser():
    parser = argparse.ArgumentParser(
        prog="tf1repro",
        description="The TF 1.x batch-normalization MNIST notebook, run faithfully on a current "
                    "TensorFlow. With no command (or only flags), 'train'.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    fmt = argparse.ArgumentDefaultsHelpFormatter
    # Left out, a train flag is None (its help says the default): a fresh run
    # takes the default, --resume the saved run's (runs.start.train).
    train = sub.add_parser("train", formatter_class=argtypes.Defaults,
                           help="train as In [21] does, print the notebook's log, save a checkpoint")
    train.add_argument("--epochs", type=positive_int,
                       help=f"epochs (In [12]: n_epochs) (default: {DEFAULTS.epochs})")
    train.add_argument("--batch-size", type=argtypes.batch_size,
                       help=f"examples a step (In [12]: batch_size) (default: {DEFAULTS.batch_size})")
    train.add_argument("--learning-rate", type=positive_float,
                       help="GradientDescentOptimizer learning rate "
                            f"(default: {DEFAULTS.learning_rate})")
    train.add_argument("--seed", type=argtypes.seed, default=None,
                       help="seed for the graph, the initializers and the data order "
                            "(default: drawn at random and printed)")
    add_data_dir(train)
    train.add_argument("--checkpoint", metavar="PATH", default=default_checkpoint(),
                       help="where tf.train.Saver writes the model; after every epoch the "
                            "model, data order and log so far are saved in its folder too")
    train.add_argument("--resume", action="store_true",
                       help="continue the run saved beside --checkpoint from its last complete "
                            "epoch; flags left out are the saved run's, flags given must agree "
                            "(--epochs may be raised to train further)")
    train.add_argument("--variant", choices=VARIANTS,
                       help="cell11: the training graph of In [11]; cell7: the first draft, In [7] "
                            f"(default: {DEFAULTS.variant})")
    train.add_argument("--loop", choices=LOOPS,
                       help="xla: the same steps, an epoch per Session.run, compiled by XLA "
                            "(fastest); in_graph: the same without XLA (bit-identical to "
                            "feed_dict); feed_dict: In [21] as written, a Session.run per step "
                            f"(default: {LOOPS[0]})")
    train.add_argument("--no-batch-norm", dest="batch_norm", action="store_false", default=None,
                       help="the ablation: the same network without its batch-norm layers")
    train.add_argument("--logdir", metavar="DIR", default=None,
                       help="write the graph and per-epoch scalars for TensorBoard here")
    train.add_argument("--plot", action=PlotFlag,
                       help="draw curves.png (validation accuracy over the notebook's) beside "
                            "the checkpoint; needs matplotlib")

    vars_ = sub.add_parser("vars", formatter_class=fmt,
                           help="In [22]: list the trainable variables, or what a checkpoint holds")
    vars_.add_argument("--checkpoint", metavar="PATH", default=None,
                       help="list this checkpoint's variables (names, shapes, trainable) "
                            "instead of the graph's trainable names")
    vars_.add_argument("--variant", choices=VARIANTS, default=DEFAULTS.variant,
                       help="which graph to list (without --checkpoint)")

    eval_ = sub.add_parser("eval", formatter_class=fmt,
                           help="restore a checkpoint and print its validation and test accuracy")
    eval_.add_argument("--checkpoint", metavar="PATH", default=default_checkpoint(),
                       help="the checkpoint to restore")
    add_data_dir(eval_)

    nb = sub.add_parser("notebook", formatter_class=fmt,
                        help="run the notebook (notebooks/) as written in a real Jupyter kernel")
    nb.add_argument("--out", metavar="DIR", default=None,
                    help="the kernel's working directory, where the notebook's "
                         "./my_model_final.ckpt and the executed .ipynb land "
                         "(default: a new folder under checkpoints/notebook/)")
    nb.add_argument("--epochs", type=positive_int, default=None,
                    help="inject n_epochs = N after In [12] (papermill-style) for a shorter "
                         "run; the cells stay as written (default: their 20)")
    nb.add_argument("--timeout", type=positive_float, default=1800,
                    help="seconds a cell may run before the kernel is stopped")
    nb.add_argument("--notebook", metavar="PATH", default=None,
                    help="another .ipynb to run the same way (default: the seed's, in notebooks/)")

    test = sub.add_parser("test", help="run the test suite (pytest); extra arguments go to pytest")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    bench.add_command(sub)
    run_command.add_command(sub, explore.add_grid_flags)  # --seeds/--grid: a grid on Ray
    which_release.add_command(sub)
    parser.explore_handlers = explore.add_commands(sub)  # plot, compare, sweep, ablation
    return parser


def cmd_train(args, log):
    from tf1repro.runs import start
    from tf1repro.runs.stopping import Interrupted
    overrides = {field: getattr(args, field) for field in start.FIELDS}

    def plot(record, runlog):
        from tf1repro.explore.drawing import plot_after_train
        curves = os.path.join(os.path.dirname(os.path.abspath(args.checkpoint)), "curves.png")
        with files.resource_errors(f"drawing {curves}"):
            runlog(f"# curves: {plot_after_train(record, args.checkpoint)}")
    try:
        start.train(args.checkpoint, overrides, resume=args.resume, log=log,
                    data_dir=args.data_dir, loop=args.loop, logdir=args.logdir,
                    after=plot if args.plot else None)
    except Interrupted as e:  # already in run.log
        print(f"tf1repro: {e}", file=sys.stderr)
        return e.exit_code


def cmd_vars(args, log):
    from tf1repro.cells import graph
    from tf1repro.runs import inspect_checkpoint
    if args.checkpoint is None:
        log(str(graph.trainable_variable_names(graph.build(Config(variant=args.variant)))))
        return
    rows = inspect_checkpoint.checkpoint_variables(args.checkpoint)
    width = max(len(name) for name, _, _ in rows)
    n_trainable = sum(_size(shape) for _, shape, t in rows if t)
    log(f"# {args.checkpoint}: {len(rows)} variables, {n_trainable:,} trainable parameters")
    for name, shape, trainable in rows:
        log(f"{name:<{width}}  {str(shape):<11} {'trainable' if trainable else 'not trainable'}")


def _size(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def cmd_eval(args, log):
    from tf1repro.runs import inspect_checkpoint, start, train
    config, source = inspect_checkpoint.read_config(args.checkpoint)
    inspect_checkpoint.check_checkpoint(args.checkpoint, config, source=source)  # before the data
    if source == inspect_checkpoint.RECOGNISED:
        log(f"# {args.checkpoint}: {inspect_checkpoint.describe(config)}, recognised from {source}")
    data_dir, _ = start.provision(args.data_dir, log)
    accs = train.evaluate(args.checkpoint, data_dir)
    log(f"Validation accuracy: {train.fmt(accs['validation_accuracy'])}")
    log(f"Test accuracy: {train.fmt(accs['test_accuracy'])}")


def cmd_notebook(args, log):
    # `run` on the seed's notebook (imports as written), with the epochs as papermill's -p.
    from tf1repro import notebook
    out = os.path.abspath(args.out) if args.out else notebook.default_out_dir()
    argv = ["--out", out, "--timeout", str(args.timeout)]
    if args.epochs is not None:
        argv += ["-p", "n_epochs", str(args.epochs)]
    return main(["run", *argv, args.notebook or notebook.SEED_NOTEBOOK], log)


def cmd_test(args, log):
    import pytest
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tests = os.path.join(here, "tests")
    if not os.path.isdir(tests):
        raise UserError(f"no tests folder at {tests}: 'test' runs from a source checkout")
    # Named tests or files run alone; otherwise the whole suite.
    named = any(os.path.exists(a.split("::")[0]) for a in args.pytest_args if not a.startswith("-"))
    return pytest.main([*([] if named else [tests]), *_workers(args.pytest_args), *args.pytest_args])


def _workers(pytest_args):
    """``-n N --dist loadfile`` (N the cores, at most 4) unless the arguments choose.

    Most of the suite waits on one core (a TensorFlow subprocess starting, a kernel, a Ray
    head), so two workers halve its time on 2 cores; whole files go to one worker, so a
    module's fixtures (a trained checkpoint, a Ray head) are made once.
    """
    words = " ".join(pytest_args).split()
    chosen = any(w.startswith(("-n", "--numprocesses", "--dist")) for w in words) or \
        "no:xdist" in " ".join(pytest_args)
    cores = min(os.cpu_count() or 1, 4)
    if chosen or cores < 2:
        return []
    if importlib.util.find_spec("xdist") is None:  # pytest-xdist, the [test] extra
        return []
    return ["-n", str(cores), "--dist", "loadfile"]


def main(argv=None, log=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if log is None:
        def log(line):
            print(line, flush=True)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "train")
    parser = build_parser()
    if argv[0] == "test" and argv[1:2] not in (["-h"], ["--help"]):
        # Everything after `test` is pytest's, options first included
        # (argparse's REMAINDER refuses a leading `-m`).
        args = argparse.Namespace(command="test", pytest_args=argv[1:])
    else:
        args, extra = parser.parse_known_args(argv)
        if extra:  # run's usage errors are one line (run_command), the others argparse's
            error = run_command.usage_error if args.command == "run" else parser.error
            error(f"unrecognized arguments: {' '.join(extra)}")
    handler = {"train": cmd_train, "vars": cmd_vars, "eval": cmd_eval, "test": cmd_test,
               "notebook": cmd_notebook, "bench": bench.cmd_bench, "run": explore.cmd_run,
               "which-release": which_release.cmd_which_release,
               **parser.explore_handlers}[args.command]
    try:
        return handler(args, log) or 0
    except UserError as e:
        print(f"tf1repro: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("tf1repro: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `./run.sh vars | head`: the reader left; say nothing more.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except (OSError, MemoryError) as e:
        # The last net: a writer or reader no module translated yet.
        where = f" {e.filename}" if getattr(e, "filename", None) else ""
        machine = files.resource_error(e, f"running '{args.command}'{where}")
        if machine is None:
            raise
        print(f"tf1repro: error: {machine}", file=sys.stderr)
        return machine.exit_code
