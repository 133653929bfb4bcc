"""What a checkpoint holds, read as data: its config, whether it fits a graph, its variables.

    config = load_config("checkpoints/my_model_final.ckpt")   # from config.json beside it
    check_checkpoint(path, config)      # UserError (one line) unless it fits that graph
    rows = checkpoint_variables(path)   # [(name, shape, trainable)], in graph order

Nothing here imports a graph from a checkpoint or runs one: names and shapes
come from the index, node names and collections from the ``.meta`` parsed
as a protocol buffer.
"""

import json
import os

from tf1repro import graph
from tf1repro.config import Config, config_path
from tf1repro.errors import UserError
from tf1repro.tfcompat import tf, v1


def first_line(error):
    text = str(getattr(error, "message", None) or error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return line if len(line) <= 200 else line[:197] + "..."


def load_config(checkpoint):
    """The config a checkpoint was trained with (its ``config.json``)."""
    path = config_path(checkpoint)
    if not os.path.exists(checkpoint + ".index"):
        raise UserError(f"{checkpoint}: no such checkpoint (expected {checkpoint}.index); "
                        "train one with './run.sh train --checkpoint PATH'")
    try:
        with open(path) as f:
            return Config.from_dict(json.load(f))
    except (OSError, ValueError, TypeError) as e:
        raise UserError(f"{path}: cannot read the checkpoint's config ({e}); "
                        "it is written by 'train' beside the checkpoint") from None


def describe(config):
    """The graph a config builds, in words: ``the cell11 graph without batch norm``."""
    return f"the {config.variant} graph" + ("" if config.batch_norm else " without batch norm")


def check_checkpoint(checkpoint, config=None, model=None, source="its config.json"):
    """Refuse, with a one-line UserError, a checkpoint that does not fit ``config``'s graph.

    ``config`` defaults to the checkpoint's ``config.json``; ``model``, the
    graph built from it, to a fresh build.  The checkpoint is read as data:
    variable names and shapes from its index, and which cell's graph wrote
    it from the node names in its ``.meta`` (parsed, never imported).
    Returns the config.
    """
    if config is None:
        config = load_config(checkpoint)
    if not os.path.exists(checkpoint + ".index"):
        raise UserError(f"{checkpoint}: no such checkpoint (expected {checkpoint}.index)")
    try:
        saved = {name: list(shape) for name, shape in tf.train.list_variables(checkpoint)}
    except Exception as e:  # a damaged index: TF raises a variety of errors
        raise UserError(f"{checkpoint}: cannot read the checkpoint ({first_line(e)})") from None
    if model is None:
        model = graph.build(config)
    with model.graph.as_default():
        wanted = {v.op.name: v.shape.as_list() for v in v1.global_variables()}
    missing = sorted(set(wanted) - set(saved))
    extra = sorted(set(saved) - set(wanted))
    reshaped = [n for n in sorted(wanted) if n in saved and saved[n] != wanted[n]]
    if missing or extra or reshaped:
        few = lambda names: ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        what = ([f"lacks {few(missing)}"] if missing else []) \
            + ([f"has {few(extra)}, which that graph has not"] if extra else []) \
            + [f"{n} is {saved[n]}, not {wanted[n]}" for n in reshaped[:2]]
        raise UserError(f"{checkpoint} does not fit {describe(config)} ({source}): it "
                        f"{'; '.join(what)}; it was saved by another variant or with other flags")
    variant = saved_variant(checkpoint)
    if variant is not None and variant != config.variant:
        raise UserError(f"{checkpoint} was saved from the {variant} graph, but {source} says "
                        f"{config.variant}; it was saved by another variant")
    return config


def saved_variant(checkpoint):
    """Which cell's graph wrote ``checkpoint``, from its ``.meta`` (as data); None if unknown.

    In [11] builds its network inside name scope ``DNN``, In [7] does not.
    """
    from tensorflow.core.protobuf import meta_graph_pb2

    meta = checkpoint + ".meta"
    try:
        if os.path.getsize(meta) > 256 << 20:  # ours are about 0.3 MB; not one of ours
            return None
        mg = meta_graph_pb2.MetaGraphDef()
        with open(meta, "rb") as f:
            mg.ParseFromString(f.read())
    except Exception:  # absent (epoch checkpoints have none) or not a meta graph
        return None
    names = [node.name for node in mg.graph_def.node]
    if any(n.startswith("DNN/") for n in names):
        return "cell11"
    if any(n.startswith("hidden1/") for n in names):
        return "cell7"
    return None


def checkpoint_variables(checkpoint):
    """(name, shape, trainable) for each variable a checkpoint holds, in graph order.

    Names and shapes come from the checkpoint's index; which are trainable
    from the ``.meta`` file's collections, read as data (nothing is imported
    into a graph or run).
    """
    from tensorflow.core.protobuf import meta_graph_pb2
    from tensorflow.core.framework import variable_pb2

    if not os.path.exists(checkpoint + ".index"):
        raise UserError(f"{checkpoint}: no such checkpoint (expected {checkpoint}.index)")
    try:
        shapes = dict(tf.train.list_variables(checkpoint))
    except Exception as e:  # corrupt index: TF raises a variety of errors
        raise UserError(f"{checkpoint}: cannot read the checkpoint ({str(e).splitlines()[0]})") from None

    order, trainable = list(shapes), set()
    meta = checkpoint + ".meta"
    if os.path.exists(meta):
        mg = meta_graph_pb2.MetaGraphDef()
        with open(meta, "rb") as f:
            mg.ParseFromString(f.read())

        def names(key):
            out = []
            for raw in mg.collection_def[key].bytes_list.value:
                vd = variable_pb2.VariableDef()
                vd.ParseFromString(raw)
                out.append(vd.variable_name.rsplit(":", 1)[0])
            return out

        graph_order = names("variables")
        trainable = set(names("trainable_variables"))
    else:
        # Epoch checkpoints carry no .meta: the graph their config.json describes,
        # built from code, says which variables are trainable.
        try:
            config = load_config(checkpoint)
        except UserError:
            config = Config()
        with graph.build(config).graph.as_default():
            graph_order = [v.op.name for v in v1.global_variables()]
            trainable = {v.op.name for v in v1.trainable_variables()}
    order = [n for n in graph_order if n in shapes] + [n for n in order if n not in graph_order]
    return [(n, list(shapes[n]), n in trainable) for n in order]
