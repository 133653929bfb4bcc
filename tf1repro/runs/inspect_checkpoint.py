"""What a checkpoint holds, read as data: its config, whether it fits a graph, its variables.

    config = load_config("checkpoints/my_model_final.ckpt")   # config.json, or recognised
    check_checkpoint(path, config)      # UserError (one line) unless it fits that graph
    rows = checkpoint_variables(path)   # [(name, shape, trainable)], in graph order

Nothing here imports a graph from a checkpoint or runs one: names and shapes
come from the index, node names and collections from the ``.meta`` parsed
as a protocol buffer.
"""

import json
import os

from tf1repro.cells import graph
from tf1repro.files import resource_error
from tf1repro.cells.config import Config, config_path
from tf1repro.errors import UserError
from tf1repro.tfcompat import tf, v1


def first_line(error):
    text = str(getattr(error, "message", None) or error).strip()
    line = text.splitlines()[0] if text else type(error).__name__
    return line if len(line) <= 200 else line[:197] + "..."


def _raise_if_machine(error, path):
    """ResourceError (exit 4) when reading ``path`` failed for the machine's reasons (I/O, memory)."""
    machine = resource_error(error, f"reading {path}", reading=True)
    if machine is not None:
        raise machine from None


# Where a checkpoint's config came from, as check_checkpoint's messages say it.
FROM_CONFIG_JSON = "its config.json"
RECOGNISED = "its own variables and .meta (no config.json beside it)"


def _require_index(checkpoint):
    if not os.path.exists(checkpoint + ".index"):
        raise UserError(f"{checkpoint}: no such checkpoint (expected {checkpoint}.index); "
                        "train one with './run.sh train --checkpoint PATH'")


def saved_shapes(checkpoint):
    """{variable name: shape} from a checkpoint's index; one-line UserError when unreadable."""
    _require_index(checkpoint)
    try:
        return {name: list(shape) for name, shape in tf.train.list_variables(checkpoint)}
    except Exception as e:  # a damaged index: TF raises a variety of errors
        _raise_if_machine(e, checkpoint)
        raise UserError(f"{checkpoint}: cannot read the checkpoint ({first_line(e)})") from None


def read_config(checkpoint):
    """(config, source): the graph ``checkpoint`` was saved from, and how we know.

    ``train`` writes ``config.json`` beside its checkpoints.  A checkpoint
    that TF 1.x code wrote (``saver.save(sess, './my_model_final.ckpt')`` in
    In [21]) has none; its graph is then recognised from the checkpoint
    itself (``recognise``).
    """
    _require_index(checkpoint)
    path = config_path(checkpoint)
    if not os.path.exists(path):
        return recognise(checkpoint), RECOGNISED
    try:
        with open(path) as f:
            return Config.from_dict(json.load(f)), FROM_CONFIG_JSON
    except (OSError, ValueError, TypeError, MemoryError) as e:
        _raise_if_machine(e, path)
        raise UserError(f"{path}: cannot read the checkpoint's config ({e}); "
                        "it is written by 'train' beside the checkpoint") from None


def load_config(checkpoint):
    """The config of the graph ``checkpoint`` was saved from (see ``read_config``)."""
    return read_config(checkpoint)[0]


def recognise(checkpoint):
    """The notebook's graph that ``checkpoint`` holds, from its contents read as data.

    Which cell (In [11] builds inside name scope ``DNN``, In [7] does not)
    comes from the node names of its ``.meta`` (In [11] when there is no
    ``.meta``); batch norm or not from its variable names.  Sizes are the
    notebook's: ``check_checkpoint`` then names whatever does not fit.
    """
    saved = saved_shapes(checkpoint)
    batch_norm = any(name.split("/")[0].startswith("batch_normalization") for name in saved)
    return Config(variant=saved_variant(checkpoint) or "cell11", batch_norm=batch_norm)


def describe(config):
    """The graph a config builds, in words: ``the cell11 graph without batch norm``."""
    return f"the {config.variant} graph" + ("" if config.batch_norm else " without batch norm")


def check_checkpoint(checkpoint, config=None, model=None, source=FROM_CONFIG_JSON):
    """Refuse, with a one-line UserError, a checkpoint that does not fit ``config``'s graph.

    ``config`` defaults to the checkpoint's own (``read_config``); ``model``, the
    graph built from it, to a fresh build.  The checkpoint is read as data:
    variable names and shapes from its index, and which cell's graph wrote
    it from the node names in its ``.meta`` (parsed, never imported).
    Returns the config.
    """
    if config is None:
        config, source = read_config(checkpoint)
    saved = saved_shapes(checkpoint)
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
                        f"{'; '.join(what)}; "
                        + ("it was saved by another variant or with other flags"
                           if source != RECOGNISED else "it is not a checkpoint of the notebook's graphs"))
    variant = saved_variant(checkpoint)
    if variant is not None and variant != config.variant:
        raise UserError(f"{checkpoint} was saved from the {variant} graph, but {source} says "
                        f"{config.variant}; it was saved by another variant")
    return config


def read_meta_graph(checkpoint):
    """The checkpoint's ``.meta`` parsed as a MetaGraphDef (data, never imported); None when
    there is none (epoch checkpoints); UserError when it is not a meta graph."""
    from tensorflow.core.protobuf import meta_graph_pb2

    meta = checkpoint + ".meta"
    if not os.path.exists(meta):
        return None
    mg = meta_graph_pb2.MetaGraphDef()
    try:
        if os.path.getsize(meta) > 256 << 20:  # the notebook's are about 0.3 MB
            raise ValueError(f"{os.path.getsize(meta)} bytes, too large for this graph")
        with open(meta, "rb") as f:
            mg.ParseFromString(f.read())
    except Exception as e:  # protobuf's DecodeError, OSError, ...
        _raise_if_machine(e, meta)
        raise UserError(f"{meta}: not a readable meta graph ({first_line(e)}); "
                        "the checkpoint is damaged or incomplete") from None
    return mg


def saved_variant(checkpoint):
    """Which cell's graph wrote ``checkpoint``, from its ``.meta``; None if unknown.

    In [11] builds its network inside name scope ``DNN``, In [7] does not.
    """
    try:
        mg = read_meta_graph(checkpoint)
    except UserError:
        return None
    names = [node.name for node in mg.graph_def.node] if mg is not None else []
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
    from tensorflow.core.framework import variable_pb2

    shapes = saved_shapes(checkpoint)
    order = list(shapes)
    mg = read_meta_graph(checkpoint)
    if mg is not None:
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
        # Epoch checkpoints carry no .meta: the graph their config.json describes
        # (or that their variables reveal), built from code, says which are trainable.
        with graph.build(load_config(checkpoint)).graph.as_default():
            graph_order = [v.op.name for v in v1.global_variables()]
            trainable = {v.op.name for v in v1.trainable_variables()}
    order = [n for n in graph_order if n in shapes] + [n for n in order if n not in graph_order]
    return [(n, shapes[n], n in trainable) for n in order]
