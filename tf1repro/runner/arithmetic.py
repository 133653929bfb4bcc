"""``run --tf1-arithmetic on|off``: the program's graphs computed as TF 1.x computed them, or as TF 2.21 does.

    line = apply("on")     # before TensorFlow loads in this process (and the kernel it starts)

TF 1.x's CPU wheels ran each op of the graph as written with Eigen's kernels.
TF 2.21 rewrites a Session's graph first (Grappler: constant push-down and
folding, reassociation, fusions) and runs oneDNN's kernels, so float32 sums
and products round differently and seeded programs print other last digits.
"on" turns both off for the program: oneDNN through ``TF_ENABLE_ONEDNN_OPTS=0``
(read once, when TensorFlow loads, so it is set here, before, and a
notebook's kernel inherits it), Grappler through ``$TF1REPRO_ARITHMETIC``,
which ``tfcompat`` reads when it loads TensorFlow and turns into the
process-wide ``disable_meta_optimizer`` that every Session, the program's
``tf.Session``/``InteractiveSession`` included, is created with.
``docs/releases.md`` ("Arithmetic") has what each part changed on published
logs of seeded TF 1.x programs, and what it costs.
"""

import os
import sys

from tf1repro.errors import UserError

ENV = "TF1REPRO_ARITHMETIC"      # "tf1": Grappler off (tfcompat reads it)
ONEDNN = "TF_ENABLE_ONEDNN_OPTS"
CHOICES = ("on", "off")
DEFAULT = "on"


def add_flag(parser):
    parser.add_argument(
        "--tf1-arithmetic", metavar="on|off", default=DEFAULT,
        help="on: run the graphs as written with Eigen's kernels, as TF 1.x did (Grappler's "
             f"rewrites and oneDNN off); off: TensorFlow 2.21's own (default: {DEFAULT}; "
             "docs/releases.md, Arithmetic)")


def check(choice):
    text = str(choice).strip().lower()
    if text not in CHOICES:
        raise UserError(f"--tf1-arithmetic {choice!r}: give on (TF 1.x's: Grappler's rewrites and "
                        "oneDNN off) or off (TensorFlow 2.21's own)")
    return text


def apply(choice):
    """Set up ``choice`` for this process and the kernels it starts; the header line."""
    choice = check(choice)
    if "tensorflow" in sys.modules:  # a caller's mistake, not the user's: the switch would lie
        raise RuntimeError("arithmetic.apply must run before TensorFlow is imported")
    if choice == "off":
        os.environ.pop(ENV, None)
        return "# arithmetic: TensorFlow 2.21's (Grappler's rewrites, oneDNN as set); --tf1-arithmetic on for TF 1.x's"
    os.environ[ENV] = "tf1"
    # A value the user exported on purpose wins; the header says which is in force.
    onednn = os.environ.setdefault(ONEDNN, "0")
    kernels = "oneDNN off" if onednn == "0" else f"oneDNN as ${ONEDNN}={onednn} says"
    return (f"# arithmetic: TF 1.x's (each Session's graph run as written, Grappler's rewrites "
            f"off; {kernels}); --tf1-arithmetic off for TensorFlow 2.21's")
