"""Command line: parse, then call the library.

    ./run.sh [train] [--epochs N] ...   train as In [21] does, print its log, save
    ./run.sh vars [--checkpoint PATH]   In [22]: the trainable variable names
    ./run.sh eval --checkpoint PATH     restore and print validation/test accuracy
    ./run.sh test                       the test suite
    ./run.sh plot|compare|sweep|ablation   look at runs, seed spread, batch norm (tf1repro.explore)

``python -m tf1repro`` and the ``tf1repro`` script take the same commands.
"""

import argparse
import dataclasses
import os
import secrets
import sys

from tf1repro import bench
from tf1repro import explore
from tf1repro.config import LOOPS, VARIANTS, Config
from tf1repro.errors import UserError

DEFAULTS = Config()
COMMANDS = ("train", "vars", "eval", "test")


def default_checkpoint():
    # run.sh points this at the repository's checkpoints/ folder, so the
    # default does not depend on the directory ./run.sh is called from.
    return os.environ.get("TF1REPRO_CHECKPOINT", os.path.join("checkpoints", "my_model_final.ckpt"))


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r} (expected a whole number >= 1)")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is out of range (expected a whole number >= 1)")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r} (expected a number > 0)")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is out of range (expected a finite number > 0)")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r} (expected 0 ... 2**31-1)")
    if not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(f"{value} is out of range (expected 0 ... 2**31-1)")
    return value


def _add_data_dir(p):
    p.add_argument("--data-dir", metavar="DIR", default=None,
                   help="folder with the four MNIST .gz files, fetched there if missing, or "
                        "with another data set in their format (Fashion-MNIST: "
                        "/usr/share/datasets/fashion-mnist) "
                        "(default: $TF1REPRO_DATA_DIR or ~/.cache/tf1repro/mnist)")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="tf1repro",
        description="The TF 1.x batch-normalization MNIST notebook, run faithfully on a current "
                    "TensorFlow. With no command (or only flags), 'train'.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    fmt = argparse.ArgumentDefaultsHelpFormatter
    train = sub.add_parser("train", formatter_class=fmt,
                           help="train as In [21] does, print the notebook's log, save a checkpoint")
    train.add_argument("--epochs", type=_positive_int, default=DEFAULTS.epochs,
                       help="epochs (In [12]: n_epochs)")
    train.add_argument("--batch-size", type=_positive_int, default=DEFAULTS.batch_size,
                       help="examples a step (In [12]: batch_size)")
    train.add_argument("--learning-rate", type=_positive_float, default=DEFAULTS.learning_rate,
                       help="GradientDescentOptimizer learning rate")
    train.add_argument("--seed", type=_seed, default=None,
                       help="seed for the graph, the initializers and the data order "
                            "(default: drawn at random and printed)")
    _add_data_dir(train)
    train.add_argument("--checkpoint", metavar="PATH", default=default_checkpoint(),
                       help="where tf.train.Saver writes the model")
    train.add_argument("--variant", choices=VARIANTS, default=DEFAULTS.variant,
                       help="cell11: the training graph of In [11]; cell7: the first draft, In [7]")
    train.add_argument("--loop", choices=LOOPS, default=LOOPS[0],
                       help="in_graph: the same steps run an epoch per Session.run (fast); "
                            "feed_dict: In [21] as written, a Session.run per step")
    train.add_argument("--no-batch-norm", dest="batch_norm", action="store_false",
                       help="the ablation: the same network without its batch-norm layers")
    train.add_argument("--logdir", metavar="DIR", default=None,
                       help="write the graph and per-epoch scalars for TensorBoard here")
    train.add_argument("--plot", action=explore.PlotFlag,
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
    _add_data_dir(eval_)

    test = sub.add_parser("test", help="run the test suite (pytest); extra arguments go to pytest")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER)
    bench.add_command(sub)
    explore.add_commands(sub)  # plot, compare, sweep, ablation
    return parser


def _data_dir(args, log):
    from tf1repro.provision import default_data_dir, ensure_mnist
    data_dir = os.path.expanduser(args.data_dir or default_data_dir())
    source = ensure_mnist(data_dir, log=lambda line: log(f"# {line}"))
    return data_dir, source


def cmd_train(args, log):
    from tf1repro import train
    from tf1repro.tfcompat import tf
    import numpy as np

    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    config = dataclasses.replace(DEFAULTS, epochs=args.epochs, batch_size=args.batch_size,
                                 learning_rate=args.learning_rate, variant=args.variant,
                                 batch_norm=args.batch_norm, seed=seed)
    log(f"# tf1repro: notebook cell In [{config.variant[4:]}] on TensorFlow {tf.__version__} "
        f"(tf.compat.v1 graph mode), NumPy {np.__version__}")
    data_dir, source = _data_dir(args, log)
    log(f"# data: {data_dir} ({source})")
    log(f"# seed: {seed} (repeat with --seed {seed}); {config.epochs} epochs, "
        f"batch {config.batch_size}, learning rate {config.learning_rate}, {args.loop} loop"
        + ("" if config.batch_norm else ", no batch norm"))
    record = train.train_and_evaluate(
        config, data_dir, args.checkpoint, log=log, loop=args.loop, logdir=args.logdir,
        run_info={"data": {"dir": data_dir, "source": source}})
    log(f"# saved {record['checkpoint']}")
    if args.plot:
        log(f"# curves: {explore.plot_after_train(record, args.checkpoint)}")


def cmd_vars(args, log):
    from tf1repro import graph, train
    if args.checkpoint is None:
        log(str(graph.trainable_variable_names(graph.build(Config(variant=args.variant)))))
        return
    rows = train.checkpoint_variables(args.checkpoint)
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
    from tf1repro import train
    train.load_config(args.checkpoint)  # fail before fetching data
    data_dir, _ = _data_dir(args, log)
    accs = train.evaluate(args.checkpoint, data_dir)
    log(f"Validation accuracy: {train.fmt(accs['validation_accuracy'])}")
    log(f"Test accuracy: {train.fmt(accs['test_accuracy'])}")


def cmd_test(args, log):
    import pytest
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tests = os.path.join(here, "tests")
    if not os.path.isdir(tests):
        raise UserError(f"no tests folder at {tests}: 'test' runs from a source checkout")
    return pytest.main([tests, *args.pytest_args])


def main(argv=None, log=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if log is None:
        def log(line):
            print(line, flush=True)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "train")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = {"train": cmd_train, "vars": cmd_vars, "eval": cmd_eval, "test": cmd_test,
               "bench": bench.cmd_bench, "plot": explore.cmd_plot,
               "compare": explore.cmd_compare, "sweep": explore.cmd_sweep,
               "ablation": explore.cmd_ablation}[args.command]
    try:
        return handler(args, log) or 0
    except UserError as e:
        print(f"tf1repro: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("tf1repro: interrupted", file=sys.stderr)
        return 130
