"""``tf.contrib.seq2seq`` of TF 1.x: ``sequence_loss``, the loss whole lab courses of the
era ended at (``tf1repro.runtime.seq2seq_loss``, each release's arithmetic).  Any other
name (``BasicDecoder``, ``dynamic_decode``, the attention wrappers) raises ``Unsupported``
saying so and naming this one.
"""

from tf1repro.runtime.seq2seq_loss import sequence_loss
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["sequence_loss"]
__getattr__ = forbid_missing("tf.contrib.seq2seq", __all__)
