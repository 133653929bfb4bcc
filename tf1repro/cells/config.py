"""The notebook's numbers, in one place.

    cfg = Config()                                  # In [11] + In [12]
    cfg = dataclasses.replace(Config(), epochs=5)   # a run with overrides

A run's config is saved as JSON beside its checkpoint (``config.json``), so
``eval`` and ``vars --checkpoint`` need nothing but the checkpoint path.
"""

import dataclasses
import json
import os

VARIANTS = ("cell11", "cell7")  # In [11] (the default) and the first graph, In [7]
# How training steps reach the graph (tf1repro.train); the first is the default.
LOOPS = ("xla", "in_graph", "feed_dict")


@dataclasses.dataclass(frozen=True)
class Config:
    # network, In [11]
    n_inputs: int = 28 * 28       # MNIST images, flattened
    n_hidden1: int = 300
    n_hidden2: int = 100
    n_outputs: int = 10
    momentum: float = 0.9         # batch norm moving-average momentum
    learning_rate: float = 0.1    # GradientDescentOptimizer
    variant: str = "cell11"       # which notebook cell's graph
    batch_norm: bool = True       # False: the ablation, dense + ELU without batch norm
    # training, In [12]
    epochs: int = 20
    batch_size: int = 200
    validation_size: int = 5000   # read_data_sets default
    seed: int = 0                 # graph, initializers and data order

    def to_json(self):
        return json.dumps(dataclasses.asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, d):
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def config_path(checkpoint):
    """Where a checkpoint's config lives: ``config.json`` in its folder."""
    return os.path.join(os.path.dirname(os.path.abspath(checkpoint)), "config.json")
