"""``--numpy-print 1.13``: float32 arrays print as NumPy 1.13 printed them, checked against
lines hunkim/DeepLearningZeroToAll's scripts recorded in their closing string literals:
lab-02-2-linear_regression_feed.py at 3a22256a333639d34cf1beede966b1762447efa0 and
lab-04-1-multi_variable_linear_regression.py at 06e96463b1a8f2f0e4f3724d788cf9a36fb78753
(https://github.com/hunkim/DeepLearningZeroToAll/blob/<commit>/<path>).

Each value is read from the record as float32 (what ``sess.run`` returned) and printed
again in a fresh process, so the global print options stay out of this one.  NumPy's own
``legacy="1.13"`` prints ``[ 1.0042351]`` for the first: the shortest float32 digits.
"""

import subprocess
import sys

# (the printed line, the float32 array whose str it is); a leading "step cost" is the loop's.
RECORDED = [
    ("[ 1.00423515]", [1.00423515]),          # lab-02-2: 1980 1.32962e-05 [ 1.00423515] ...
    ("[-0.00962736]", [-0.00962736]),
    ("[ 1.00403607]", [1.00403607]),          # lab-02-2: 2000 1.20761e-05 [ 1.00403607] ...
    ("[ 5.0110054]", [5.0110054]),            # lab-02-2: the hypothesis at X = 5
    ("[ 2.50091505]", [2.50091505]),          # ... and at X = 2.5
    ("[ 145.56100464  187.94958496  178.50236511  194.86721802  146.08096313]",  # lab-04-1, 10
     [145.56100464, 187.94958496, 178.50236511, 194.86721802, 146.08096313]),
    ("[ 148.15084839  186.88632202  179.6293335   195.81796265  144.46044922]",  # lab-04-1, 1990
     [148.15084839, 186.88632202, 179.6293335, 195.81796265, 144.46044922]),
]

PRINT = """
import sys, numpy as np
from tf1repro.runner import era_numpy
era_numpy.install(sys.argv[1])
for values in {values!r}:
    print(np.array(values, dtype=np.float32))
print(np.float32(1.32962e-05))               # a scalar: 1.13's six digits, NumPy's legacy mode
"""


def printed(legacy):
    code = PRINT.format(values=[values for _, values in RECORDED])
    proc = subprocess.run([sys.executable, "-c", code, legacy], capture_output=True, text=True,
                          check=True)
    return proc.stdout.splitlines()


def test_float32_arrays_print_as_numpy_1_13_printed_them():
    assert printed("1.13") == [line for line, _ in RECORDED] + ["1.32962e-05"]
