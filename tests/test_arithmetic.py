"""``run --tf1-arithmetic``: a Session's graph rewritten as the TF 1.x release did, or as TF 2.21 does.

The probe is ``log(1 + x)`` for ``x = 1e-8`` in float32.  As written, op by
op, ``1 + x`` rounds to 1 and the log is 0.0 (NumPy below).  TF 2.21's
arithmetic optimizer rewrites it to ``log1p(x)``, 1e-8.  TF 1.3's Grappler
had no arithmetic optimizer (its wheel's core/protobuf/rewriter_config_pb2.py
has no ``arithmetic_optimization`` field; 1.4.1's has), so under release 1.3
the sum is computed as written.  Expected values come from NumPy.
"""

import os
import subprocess
import sys

import numpy as np

from seed import ROOT
from tf1repro import cli
from tf1repro.runner import arithmetic

PROBE = """\
import os
import numpy as np
import tensorflow as tf
x = tf.Variable(np.float32(1e-8))
y = tf.log(1. + x)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(repr(float(sess.run(y))))
sess = tf.InteractiveSession()
sess.run(tf.global_variables_initializer())
print(repr(float(y.eval())))
print(os.environ.get("TF_ENABLE_ONEDNN_OPTS"))
"""

X = np.float32(1e-8)
AS_WRITTEN = float(np.log(np.float32(1.0) + X))     # 0.0
REWRITTEN = float(np.log1p(X))                       # 1e-08


def run(tmp_path, *flags):
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    env = {**os.environ, "PYTHONPATH": ROOT}
    for name in ("TF_ENABLE_ONEDNN_OPTS", "TF1REPRO_GRAPPLER_OFF", "TF1REPRO_TF1_RELEASE",
                 "TF1REPRO_ARITH_EXP", "TF1REPRO_EIGEN_MATH"):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, "-m", "tf1repro", "run", *flags, str(script)],
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_the_probe_tells_the_two_apart():
    assert AS_WRITTEN == 0.0 and REWRITTEN > 0.0


def test_each_release_keeps_only_the_optimizers_it_had():
    # Fields of RewriterConfig in each wheel's core/protobuf/rewriter_config_pb2.py.
    assert arithmetic.optimizers_off("1.3")[:3] == [
        "arithmetic_optimization", "dependency_optimization", "loop_optimization"]
    assert "constant_folding" not in arithmetic.optimizers_off("1.2")   # 1.2.1 has it
    assert arithmetic.optimizers_off("1.8") == [                         # 1.9.0 adds these
        "remapping", "shape_optimization", "scoped_allocator_optimization",
        "pin_to_host_optimization", "implementation_selector"]
    assert arithmetic.optimizers_off("1.15") == []
    assert arithmetic.optimizers_off("1.1") == "all"                     # 1.1.0: layout only


def test_every_session_gets_the_releases_rewrites_with_the_switch(tmp_path):
    out = run(tmp_path, "--tf1-release", "1.3", "--tf1-arithmetic", "on").splitlines()
    assert [line for line in out if not line.startswith("#")] == \
        [repr(AS_WRITTEN), repr(AS_WRITTEN), "0"]  # Session, InteractiveSession, oneDNN off
    assert any(line.startswith("# arithmetic: TF 1.3's (oneDNN off; float32 sums and sigmoid as "
                               "its 4-lane Eigen build computed them; 1.3's graph rewrites "
                               "(arithmetic_optimization,")
               for line in out), out


def test_off_leaves_tensorflow_2s_rewrites(tmp_path):
    out = run(tmp_path, "--tf1-release", "1.3", "--tf1-arithmetic", "off").splitlines()
    body = [line for line in out if not line.startswith("#")]
    assert body[0] == repr(REWRITTEN) and body[2] == "None"
    assert any(line.startswith("# arithmetic: TensorFlow 2.21's") for line in out)


def test_a_bad_choice_is_one_line_and_exit_2(tmp_path, capsys):
    script = tmp_path / "p.py"
    script.write_text("print(1)\n")
    status = cli.main(["run", "--tf1-arithmetic", "tf2", str(script)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "--tf1-arithmetic 'tf2': give on" in err
