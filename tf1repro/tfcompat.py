"""TensorFlow, quietly, in TF 1.x graph mode.

    from tf1repro.tfcompat import tf, v1   # tf.compat.v1 with eager disabled

Importing this module imports TensorFlow once, with its start-up chatter kept
off the terminal, and switches the process to graph mode as the notebook ran.
"""

import os
import sys
import tempfile

# C++ INFO/WARNING lines (oneDNN, CPU features, CUDA probing) are not the
# notebook's output.  Respect a value the user set on purpose.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _import_quietly():
    # A few C++ lines are written before absl logging is initialised, so
    # TF_CPP_MIN_LOG_LEVEL cannot hide them: park fd 2 while importing and
    # replay what was written only if the import fails.
    if os.environ.get("TF1REPRO_VERBOSE_TF"):
        import tensorflow
        return tensorflow
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as parked:
        os.dup2(parked.fileno(), 2)
        try:
            import tensorflow
            # Probing for accelerators happens once, on first use; on a
            # machine without CUDA it logs an error line.  Do it here, parked.
            tensorflow.config.list_physical_devices()
        except BaseException:
            os.dup2(saved, 2)
            parked.seek(0)
            sys.stderr.write(parked.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)
    return tensorflow

tf = _import_quietly()
v1 = tf.compat.v1
v1.disable_eager_execution()
tf.get_logger().setLevel("ERROR")  # compat.v1 deprecation notices

# `run --tf1-arithmetic on` (runner/arithmetic.py): Grappler's optimizers the TF 1.x release
# did not have stay off ("all": no rewrite at all), so float32 ops round as that release's
# graphs did.  Process-wide: every Session the program makes is created with it.
_OFF = os.environ.get("TF1REPRO_GRAPPLER_OFF", "")
if _OFF == "all":
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
elif _OFF:
    tf.config.optimizer.set_experimental_options({name: False for name in _OFF.split(",")})
