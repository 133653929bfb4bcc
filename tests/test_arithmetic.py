"""``run --tf1-arithmetic``: a Session's graph computed as written (TF 1.x's) or rewritten (TF 2.21's).

The probe is a sum TF 1.x's executor ran op by op: ``(v + c) + c`` with
``v = 1`` and ``c = 4e-8`` in float32.  Op by op, IEEE float32 rounds each
add back to 1.0 (NumPy below says so); Grappler's constant push-down
rewrites it to ``v + (c + c)``, which rounds to 1.0000001.  The expected
values come from NumPy, not from the code under test.
"""

import os
import subprocess
import sys

import numpy as np

from seed import ROOT
from tf1repro import cli

PROBE = """\
import os
import numpy as np
import tensorflow as tf
c = np.float32(4e-8)
v = tf.Variable(1.0)
total = (v + c) + c
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(repr(float(sess.run(total))))
sess = tf.InteractiveSession()
sess.run(tf.global_variables_initializer())
print(repr(float(total.eval())))
print(os.environ.get("TF_ENABLE_ONEDNN_OPTS"))
"""

C = np.float32(4e-8)
AS_WRITTEN = float((np.float32(1.0) + C) + C)      # 1.0
REWRITTEN = float(np.float32(1.0) + (C + C))       # 1.0000001


def run(tmp_path, *flags):
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    env = {**os.environ, "PYTHONPATH": ROOT}
    for name in ("TF_ENABLE_ONEDNN_OPTS", "TF1REPRO_ARITHMETIC", "TF1REPRO_TF1_RELEASE"):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, "-m", "tf1repro", "run", *flags, str(script)],
                          cwd=str(tmp_path), capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_the_probe_tells_the_two_apart():
    assert AS_WRITTEN == 1.0 and REWRITTEN > 1.0


def test_every_session_runs_the_graph_as_written_by_default(tmp_path):
    out = run(tmp_path).splitlines()  # the default is --tf1-arithmetic on
    assert [line for line in out if not line.startswith("#")] == \
        [repr(AS_WRITTEN), repr(AS_WRITTEN), "0"]  # Session, InteractiveSession, oneDNN off
    assert any(line.startswith("# arithmetic: TF 1.x's") for line in out)


def test_off_leaves_tensorflow_2s_rewrites(tmp_path):
    out = run(tmp_path, "--tf1-arithmetic", "off").splitlines()
    body = [line for line in out if not line.startswith("#")]
    assert body[0] == repr(REWRITTEN) and body[2] == "None"
    assert any(line.startswith("# arithmetic: TensorFlow 2.21's") for line in out)


def test_a_bad_choice_is_one_line_and_exit_2(tmp_path, capsys):
    script = tmp_path / "p.py"
    script.write_text("print(1)\n")
    status = cli.main(["run", "--tf1-arithmetic", "tf2", str(script)])
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "--tf1-arithmetic 'tf2': give on" in err
