"""The seed notebook's own cells, run through ``tf1repro.tf1`` with only their imports changed.

The cells are taken from the seed file by ``seed.py`` and rewritten by the
import rule alone; they run in a fresh Python each, as a kernel would run
them.  What they print is checked against what the notebook recorded, and the
checkpoint that In [21]'s ``saver.save`` writes (no ``config.json`` beside
it) is read by ``eval`` and ``vars``.
"""

import os
import re
import subprocess
import sys

import pytest

from tf1repro.bench.contenders import naive_port
from seed import ROOT, epoch_lines, recorded_output, run_cells, seed_cells, under_import_rule

# In [22]'s recorded output, parsed from the seed; the list the cells must print.
IN_22 = eval(recorded_output("22"))  # noqa: S307 - a list literal from the seed file
TEST_LINE = re.compile(r"^Test accuracy: (\S+)$", re.M)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "tf1repro", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)


def ok(proc):
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """In [11], In [12] (n_epochs = 2 injected), In [None], In [21], In [22], as written."""
    cwd = tmp_path_factory.mktemp("cells")
    proc = ok(run_cells(["11", "12", "None", "21", "22"], str(cwd), n_epochs=2))
    return cwd, proc.stdout


def test_the_import_rule_is_the_only_change():
    cells = seed_cells()
    for label, code in cells.items():
        rewritten = under_import_rule(code)
        changed = [(a, b) for a, b in zip(code.splitlines(), rewritten.splitlines()) if a != b]
        assert all(a.lstrip().startswith(("import tensorflow", "from tensorflow")) for a, _ in changed)
        assert "tensorflow" not in rewritten.replace("tf1repro.tf1", "")
    assert under_import_rule(cells["None"]).strip().splitlines()[0] == \
        "from tf1repro.tf1.examples.tutorials.mnist import input_data"


def test_cells_print_the_notebooks_log_and_list(trained):
    _, stdout = trained
    lines = epoch_lines(stdout)
    assert [e for e, _, _ in lines] == [0, 1]
    # The notebook's numbers, as printed: float32 shortest repr, 200 and 5000 examples.
    recorded = epoch_lines(recorded_output("21"))
    for (epoch, batch, valid), (_, _, valid_notebook) in zip(lines, recorded):
        assert abs(valid - valid_notebook) <= (0.015 if epoch == 0 else 0.01), (epoch, valid)
        assert 0.9 <= batch <= 1.0
    assert re.search(r"^1 Batch accuracy: [\d.]+ Validation accuracy: [\d.]+\n\nTest accuracy: "
                     r"0\.9\d*\n", stdout, re.M), stdout
    assert stdout.rstrip().splitlines()[-1] == repr(IN_22)
    for name in ("train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        assert f"Extracting /tmp/data/{name}\n" in stdout  # as TF 1.x's input_data printed


def test_cell_7_then_22_lists_the_same_names(tmp_path):
    proc = ok(run_cells(["7", "22"], str(tmp_path)))
    assert proc.stdout.strip() == repr(IN_22)


def test_eval_and_vars_read_the_checkpoint_in_21_wrote(trained):
    cwd, stdout = trained
    ckpt = str(cwd / "my_model_final.ckpt")
    assert not os.path.exists(cwd / "config.json")
    proc = ok(cli("eval", "--checkpoint", ckpt, "--data-dir", "/tmp/data"))
    assert "cell11 graph, recognised from its own variables and .meta" in proc.stdout
    # The same graph on the same test set: the very figure In [21] printed.
    assert TEST_LINE.findall(proc.stdout) == TEST_LINE.findall(stdout)
    listing = ok(cli("vars", "--checkpoint", ckpt)).stdout
    assert "18 variables, 267,430 trainable parameters" in listing
    trainable = [line.split()[0] + ":0" for line in listing.splitlines()[1:]
                 if not line.endswith("not trainable")]
    assert trainable == IN_22


def test_eval_recognises_in_7_and_a_graph_without_batch_norm(tmp_path):
    save = ("save", "with tf.Session() as sess:\n"
                    "    tf.global_variables_initializer().run()\n"
                    "    tf.train.Saver().save(sess, './my_model_final.ckpt')\n")
    ok(run_cells(["7"], str(tmp_path), extra=[save]))
    proc = ok(cli("eval", "--checkpoint", str(tmp_path / "my_model_final.ckpt"),
                  "--data-dir", "/tmp/data"))
    assert "the cell7 graph, recognised" in proc.stdout

    no_bn = tmp_path / "no_bn"
    no_bn.mkdir()
    drop_bn = lambda code: under_import_rule(code).replace(
        "my_batch_norm = partial(tf.layers.batch_normalization, training = training, momentum = 0.9)",
        "my_batch_norm = lambda x: x")
    ok(run_cells(["11"], str(no_bn), transform=drop_bn, extra=[save]))
    proc = ok(cli("eval", "--checkpoint", str(no_bn / "my_model_final.ckpt"),
                  "--data-dir", "/tmp/data"))
    assert "the cell11 graph without batch norm, recognised" in proc.stdout


def test_a_checkpoint_of_another_graph_gets_one_line(tmp_path):
    wider = ("wider", "import tf1repro.tf1 as tf\n"
                      "X = tf.placeholder(tf.float32, (None, 784))\n"
                      "h = tf.layers.dense(X, 200, name='hidden1')\n"
                      "with tf.Session() as sess:\n"
                      "    tf.global_variables_initializer().run()\n"
                      "    tf.train.Saver().save(sess, './other.ckpt')\n")
    ok(run_cells([], str(tmp_path), extra=[wider]))
    for command in ("eval", "vars"):
        data = ["--data-dir", "/tmp/data"] if command == "eval" else []
        proc = cli(command, "--checkpoint", str(tmp_path / "other.ckpt"), *data)
        if command == "vars":  # a listing needs no graph: it lists what is there
            assert ok(proc).stdout.splitlines()[1].split()[:2] == ["hidden1/kernel", "[784,"]
            continue
        assert proc.returncode == 2, proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "does not fit the cell7 graph without batch norm" in proc.stderr  # no DNN scope
        assert "hidden1/kernel is [784, 200], not [784, 300]" in proc.stderr
        assert "not a checkpoint of the notebook's graphs" in proc.stderr


def naive(code):
    """The seed's cell as the usual tf-keras port has it (bench.naive_port, after the rule)."""
    return naive_port(under_import_rule(code))


def test_eval_reads_a_checkpoint_of_the_naive_tf_keras_port(tmp_path):
    proc = run_cells(["11", "12", "None", "21", "22"], str(tmp_path), n_epochs=1,
                     transform=naive, env={"TF_USE_LEGACY_KERAS": "1"})
    if "No module named 'tf_keras'" in proc.stderr:
        pytest.skip("tf_keras (the test extra) is not installed")
    ok(proc)
    # tf-keras makes gamma before beta: the listing that In [22] cannot reproduce.
    assert proc.stdout.rstrip().splitlines()[-1] != repr(IN_22)
    assert sorted(eval(proc.stdout.rstrip().splitlines()[-1])) == sorted(IN_22)  # noqa: S307
    r = ok(cli("eval", "--checkpoint", str(tmp_path / "my_model_final.ckpt"),
               "--data-dir", "/tmp/data"))
    assert TEST_LINE.findall(r.stdout) == TEST_LINE.findall(proc.stdout)


# All 20 epochs of these cells, as written, against the recorded log: test_notebook.py's
# test_the_whole_notebook_as_written (the same cells through ./run.sh notebook).
