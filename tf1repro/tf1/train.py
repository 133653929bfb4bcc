"""``tf.train`` of TF 1.x: TF 2.21's ``tf.compat.v1.train``, name for name.

    import tf1repro.tf1 as tf
    optimizer = tf.train.GradientDescentOptimizer(0.01)

Every name is forwarded as it is (the optimizers, ``Saver``, the schedules: their
TF 1.15 signatures are 2.21's, see docs/tf1-audit.md).  Names TF 1.x itself
renamed before 1.0 (``tf.train.SummaryWriter``) raise ``Unsupported`` naming the
successor.
"""

from tf1repro.tf1._namespace import forward
from tf1repro.tfcompat import v1 as _v1

__getattr__ = forward("tf.train", __name__, _v1.train)


def __dir__():
    return sorted(dir(_v1.train))
