"""``run --tf1-arithmetic on|off``: the graph rewrites and kernels of the TF 1.x release, or TF 2.21's.

    line = apply("on", "1.8")   # before TensorFlow loads in this process (and the kernel it starts)

TF 1.x's pip wheels ran Eigen's kernels, and each release rewrote a
Session's graph (Grappler) with only the optimizers it had: none before 1.2,
constant folding from 1.2, the arithmetic optimizer from 1.4, remapping
(fusions) from 1.9, ...  TF 2.21 runs every optimizer it has and oneDNN's
kernels, so float32 sums and products round differently and seeded programs
print other last digits.  "on" gives the program the release's own set:
oneDNN off through ``TF_ENABLE_ONEDNN_OPTS=0`` (read once, when TensorFlow
loads: set here, before, and a notebook's kernel inherits it) and the
optimizers the release did not have off through ``$TF1REPRO_GRAPPLER_OFF``,
which ``tfcompat`` turns into process-wide options every Session is created
with (``tf.Session``/``InteractiveSession`` included), and float32 sums, means and
sigmoids computed as the release's Eigen build computed them (``$TF1REPRO_EIGEN_MATH``,
``runtime/eigen_math.py``).  What each part changed on published logs of seeded programs: docs/releases.md, Arithmetic.
"""

import os
import sys

from tf1repro.errors import UserError
from tf1repro.runtime import releases

GRAPPLER_OFF = "TF1REPRO_GRAPPLER_OFF"   # "all", or optimizers to turn off (tfcompat reads it)
EIGEN_MATH = "TF1REPRO_EIGEN_MATH"       # "1": runtime/eigen_math.py's order (tf1repro.tf1 reads it)
ONEDNN = "TF_ENABLE_ONEDNN_OPTS"
CHOICES = ("on", "off")
DEFAULT = "off"  # measured: 3 recorded lines gained, up to 2x the time (docs/releases.md, Arithmetic)
# TF 2.21's Grappler toggles and the first TF 1.x release whose RewriterConfig had the field,
# read in each wheel's core/protobuf/rewriter_config_pb2.py (1.0.1 has no RewriterConfig; 1.1.0's
# only optimizer is the tensor layout one, a GPU pass).  A release before a row's did not run it.
SINCE = {
    "constant_folding": "1.2",
    "arithmetic_optimization": "1.4",
    "dependency_optimization": "1.5",
    "loop_optimization": "1.7",
    "function_optimization": "1.7",
    "debug_stripper": "1.8",
    "remapping": "1.9",
    "shape_optimization": "1.9",
    "scoped_allocator_optimization": "1.9",
    "pin_to_host_optimization": "1.12",
    "implementation_selector": "1.14",
}


def _key(name):
    return tuple(int(part) for part in name.split(".")[:2])


def optimizers_off(release):
    """TF 2.21's optimizers ``release`` did not have: a list, or "all" before 1.2 (no Grappler pass)."""
    if _key(release) < _key("1.2"):
        return "all"
    return [name for name, since in SINCE.items() if _key(release) < _key(since)]


# The flag, as run's table (run_command.FLAGS) and which-release take it.
FLAG = dict(metavar="on|off", default=DEFAULT,
            help="on: Eigen's kernels, only the graph rewrites the TF 1.x release had (oneDNN "
                 "and later Grappler optimizers off), float32 sums and sigmoid as its Eigen "
                 "build computed them; "
                 f"off: TensorFlow 2.21's own (default: "
                 f"{DEFAULT}; docs/releases.md, Arithmetic)")


def add_flag(parser):
    parser.add_argument("--tf1-arithmetic", **FLAG)


def check(choice):
    text = str(choice).strip().lower()
    if text not in CHOICES:
        raise UserError(f"--tf1-arithmetic {choice!r}: give on (the TF 1.x release's graph rewrites, "
                        "oneDNN off) or off (TensorFlow 2.21's own)")
    return text


def apply(choice, release=None):
    """Set up ``choice`` for this process and the kernels it starts; the header line."""
    choice = check(choice)
    if choice == "on" and "tensorflow" in sys.modules:  # a caller's mistake: the switch would lie
        raise RuntimeError("arithmetic.apply('on') must run before TensorFlow is imported")
    if choice == "off":
        os.environ.pop(GRAPPLER_OFF, None)
        os.environ.pop(EIGEN_MATH, None)
        return "# arithmetic: TensorFlow 2.21's graph rewrites and kernels (--tf1-arithmetic on: TF 1.x's)"
    release = releases.check(release or releases.current().name).name
    off = optimizers_off(release)
    os.environ[GRAPPLER_OFF] = off if off == "all" else ",".join(off)
    os.environ[EIGEN_MATH] = "1"
    # A value the user exported on purpose wins; the header says which is in force.
    onednn = os.environ.setdefault(ONEDNN, "0")
    kernels = "oneDNN off" if onednn == "0" else f"oneDNN as ${ONEDNN}={onednn} says"
    lanes = releases.fact("eigen_sum_lanes", releases.check(release))
    kernels += f"; float32 sums and sigmoid as its {lanes}-lane Eigen build computed them"
    rewrites = ("no graph rewrite (Grappler came in 1.2)" if off == "all" else
                f"{release}'s graph rewrites ({', '.join(off)} off)" if off else
                f"{release}'s graph rewrites")
    return f"# arithmetic: TF {release}'s ({kernels}; {rewrites}); --tf1-arithmetic off for TensorFlow 2.21's"
