"""``tf.contrib.seq2seq`` of TF 1.x: ``sequence_loss`` (each release's arithmetic), decoding
with ``TrainingHelper``, ``GreedyEmbeddingHelper``, ``BasicDecoder``, ``dynamic_decode``, and
attention with ``BahdanauAttention``, ``LuongAttention``, ``AttentionWrapper``,
``AttentionWrapperState``, ``hardmax``, ``safe_cumprod`` (1.2-1.15;
``tf1repro.runtime.seq2seq_loss``, ``seq2seq_decode``, ``seq2seq_attention``).  Any other
name (the monotonic attentions, ``BeamSearchDecoder``, the other helpers) raises
``Unsupported`` saying so and naming these.
"""

from tf1repro.runtime.seq2seq_attention import (AttentionMechanism, AttentionWrapper,
                                                AttentionWrapperState, BahdanauAttention,
                                                LuongAttention, hardmax, safe_cumprod)
from tf1repro.runtime.seq2seq_decode import (BasicDecoder, BasicDecoderOutput,
                                             GreedyEmbeddingHelper, Helper, TrainingHelper,
                                             dynamic_decode)
from tf1repro.runtime.seq2seq_loss import sequence_loss
from tf1repro.tf1._namespace import forbid_missing

__all__ = ["sequence_loss", "Helper", "TrainingHelper", "GreedyEmbeddingHelper",
           "BasicDecoder", "BasicDecoderOutput", "dynamic_decode", "AttentionMechanism",
           "BahdanauAttention", "LuongAttention", "AttentionWrapper", "AttentionWrapperState",
           "hardmax", "safe_cumprod"]
__getattr__ = forbid_missing("tf.contrib.seq2seq", __all__)
