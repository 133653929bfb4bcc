"""``tf.test`` of TF 1.x: TF 2.21's ``tf.compat.v1.test``, name for name, except
``is_built_with_cuda``.

TF 1.x shipped two packages: ``tensorflow`` (CPU, ``is_built_with_cuda()`` False) and
``tensorflow-gpu``.  TF 2.21's one wheel says True on every machine, so programs that
chose ``channels_first`` from it (tensorflow/models' official MNIST of the 1.4 era)
now build NCHW pooling that the CPU kernels refuse.  Here it answers what the era's
package on this machine would have: True only when a GPU is visible.
"""

from tf1repro.tf1._namespace import forward
from tf1repro.tfcompat import tf as _tf
from tf1repro.tfcompat import v1 as _v1

__getattr__ = forward("tf.test", __name__, _v1.test)


def is_built_with_cuda():
    return bool(_tf.config.list_physical_devices("GPU"))


def __dir__():
    return sorted(dir(_v1.test))
