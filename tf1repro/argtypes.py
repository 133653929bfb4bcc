"""Argument types of the command line, importable by the CLI and the library alike.

    parser.add_argument("--epochs", type=positive_int)
    parser.add_argument("--learning-rates", type=learning_rates)   # "0.01,0.1,1.0"

Each raises ``argparse.ArgumentTypeError`` with what was expected, which
argparse prints as a one-line usage error.
"""

import argparse

from tf1repro.cells.config import Config

# MNIST's 60000 training images less the 5000 read_data_sets keeps for validation.
TRAIN_EXAMPLES = 60000 - Config().validation_size


class Defaults(argparse.ArgumentDefaultsHelpFormatter):
    """Shows defaults, except None: those flags' help says what happens instead."""

    def _get_help_string(self, action):
        return action.help if action.default is None else super()._get_help_string(action)


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r} (expected a whole number >= 1)")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is out of range (expected a whole number >= 1)")
    return value


def batch_size(text):
    value = positive_int(text)
    if value > TRAIN_EXAMPLES:
        raise argparse.ArgumentTypeError(
            f"{value} is out of range (expected a whole number >= 1 and <= {TRAIN_EXAMPLES}, "
            "the training set's size)")
    return value


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid float value: {text!r} (expected a number > 0)")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is out of range (expected a finite number > 0)")
    return value


def seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r} (expected 0 ... 2**31-1)")
    if not 0 <= value < 2**31:
        raise argparse.ArgumentTypeError(f"{value} is out of range (expected 0 ... 2**31-1)")
    return value


def learning_rates(text):
    parts = [part.strip() for part in text.split(",")]
    try:
        return [positive_float(part) for part in parts]
    except argparse.ArgumentTypeError as e:
        raise argparse.ArgumentTypeError(f"{e} in {text!r} (expected e.g. 0.01,0.1,1.0)")


def add_data_dir(p):
    p.add_argument("--data-dir", metavar="DIR", default=None,
                   help="folder with the four MNIST .gz files, fetched there if missing, or "
                        "with another data set in their format (Fashion-MNIST: "
                        "/usr/share/datasets/fashion-mnist) "
                        "(default: $TF1REPRO_DATA_DIR or ~/.cache/tf1repro/mnist)")
