"""``tf.contrib.seq2seq`` of TF 1.x: ``sequence_loss`` (each release's arithmetic), and
decoding with ``TrainingHelper``, ``GreedyEmbeddingHelper``, ``BasicDecoder``,
``dynamic_decode`` (1.2-1.15; ``tf1repro.runtime.seq2seq_loss``, ``seq2seq_decode``).  Any
other name (the attention wrappers, ``BeamSearchDecoder``, the other helpers) raises
``Unsupported`` saying so and naming these.
"""

from tf1repro.runtime.seq2seq_decode import (BasicDecoder, BasicDecoderOutput,
                                             GreedyEmbeddingHelper, Helper, TrainingHelper,
                                             dynamic_decode)
from tf1repro.runtime.seq2seq_loss import sequence_loss
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["sequence_loss", "Helper", "TrainingHelper", "GreedyEmbeddingHelper",
           "BasicDecoder", "BasicDecoderOutput", "dynamic_decode"]
__getattr__ = forbid_missing("tf.contrib.seq2seq", __all__)
