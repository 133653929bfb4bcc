"""The training loops on the real MNIST, one short epoch at a time."""

import json

import numpy as np
import pytest

from tf1repro.runs import train
from tf1repro.cells.config import LOOPS, Config
from tf1repro.data.datasets import read_data_sets
from tf1repro.data.provision import default_data_dir, ensure_mnist
from tf1repro.tfcompat import tf


@pytest.fixture(scope="module")
def datasets_factory():
    path = default_data_dir()
    ensure_mnist(path, log=lambda line: None)
    return lambda seed: read_data_sets(path, seed=seed)


def run(tmp_path, datasets_factory, loop, config):
    ckpt = str(tmp_path / loop / "my_model_final.ckpt")
    lines = []
    record = train.train_and_evaluate(config, None, ckpt, log=lines.append,
                                      datasets=datasets_factory(config.seed), loop=loop)
    return record, lines, ckpt


def checkpoint_values(ckpt):
    reader = tf.train.load_checkpoint(ckpt)
    return {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(ckpt)}


@pytest.fixture(scope="module")
def three_loops(tmp_path_factory, datasets_factory):
    """Two short epochs with a large batch, once with each loop, one seed."""
    config = Config(epochs=2, batch_size=1000, seed=3)
    tmp = tmp_path_factory.mktemp("loops")
    return {loop: run(tmp, datasets_factory, loop, config) for loop in LOOPS}


def test_in_graph_loop_computes_what_the_feed_dict_loop_computes(three_loops):
    # Same steps, same order, same ops: every variable, moving statistics
    # included, comes out bit-identical.
    fast, fast_lines, fast_ckpt = three_loops["in_graph"]
    slow, slow_lines, slow_ckpt = three_loops["feed_dict"]
    assert fast_lines == slow_lines
    assert [e["mean_loss"] for e in fast["epochs"]] == [e["mean_loss"] for e in slow["epochs"]]
    a, b = checkpoint_values(fast_ckpt), checkpoint_values(slow_ckpt)
    assert sorted(a) == sorted(b) and len(a) == 18
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


def test_xla_loop_computes_the_same_up_to_rounding(three_loops):
    # XLA fuses the element-wise ops, which may round differently in the
    # last bits; after 220 steps the variables still agree closely, and the
    # printed log (4 digits) is the same.
    fast, fast_lines, fast_ckpt = three_loops["xla"]
    slow, slow_lines, slow_ckpt = three_loops["feed_dict"]
    assert fast_lines == slow_lines
    np.testing.assert_allclose([e["mean_loss"] for e in fast["epochs"]],
                               [e["mean_loss"] for e in slow["epochs"]], rtol=1e-5)
    a, b = checkpoint_values(fast_ckpt), checkpoint_values(slow_ckpt)
    assert sorted(a) == sorted(b)
    for name in a:
        np.testing.assert_allclose(a[name], b[name], rtol=1e-3, atol=1e-5, err_msg=name)


def test_run_record_and_checkpoint_files(tmp_path, datasets_factory):
    config = Config(epochs=1, batch_size=500, seed=5)
    record, lines, ckpt = run(tmp_path, datasets_factory, "xla", config)
    folder = tmp_path / "xla"
    for suffix in (".index", ".meta", ".data-00000-of-00001"):
        assert (folder / ("my_model_final.ckpt" + suffix)).exists()
    assert "my_model_final.ckpt" in (folder / "checkpoint").read_text()
    saved = json.loads((folder / "metrics.json").read_text())
    assert saved["config"]["batch_size"] == 500 and saved["seed"] == 5
    assert saved["versions"]["tensorflow"] == tf.__version__
    assert len(saved["epochs"]) == 1
    epoch = saved["epochs"][0]
    assert 0.8 < epoch["validation_accuracy"] <= 1 and 0 < epoch["mean_loss"] < 1.0
    assert lines[0] == train.epoch_line(0, epoch["batch_accuracy"], epoch["validation_accuracy"])
    assert lines[-1] == "\nTest accuracy: " + train.fmt(saved["test_accuracy"])
    assert Config.from_dict(json.loads((folder / "config.json").read_text())) == config


def test_start_trains_then_resumes_with_the_saved_runs_flags(tmp_path, datasets_factory):
    """``runs.start.train``, the call behind ``train``, sweeps and bench: fresh, then --resume."""
    from tf1repro.errors import UserError
    from tf1repro.runs import checkpointing, start
    ckpt = str(tmp_path / "run" / "my_model_final.ckpt")
    first = start.train(ckpt, {"epochs": 1, "batch_size": 5000, "seed": 4, "variant": None},
                        log=lambda line: None, loop="in_graph", threads=1)
    assert first["config"]["batch_size"] == 5000 and first["loop"] == "in_graph"
    with pytest.raises(UserError, match=r"--batch-size 5000, not 200"):
        start.train(ckpt, {"batch_size": 200}, resume=True, log=lambda line: None)
    other = checkpointing.RunDir(ckpt).prepare()  # another train holds the folder
    try:
        with pytest.raises(UserError, match="another 'train' is writing there"):
            start.train(ckpt, {}, resume=True, log=lambda line: None)
    finally:
        other.release()
    lines = []
    # Left out: the saved run's batch, seed and loop; epochs raised to train further.
    second = start.train(ckpt, {"epochs": 2}, resume=True, log=lines.append, threads=1)
    assert second["resumed_after_epochs"] == [1] and second["loop"] == "in_graph"
    assert second["config"] == dict(first["config"], epochs=2)
    assert second["epochs"][0] == first["epochs"][0]
    assert any("continuing with epoch 1 of 2" in line for line in lines)
