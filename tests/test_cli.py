"""The command line, as a user meets it: help, bad flags, the In [22] listing."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# In [22] of the notebook, as it printed it.
NOTEBOOK_VARS = ("['hidden1/kernel:0', 'hidden1/bias:0', 'batch_normalization/beta:0', "
                 "'batch_normalization/gamma:0', 'hidden2/kernel:0', 'hidden2/bias:0', "
                 "'batch_normalization_1/beta:0', 'batch_normalization_1/gamma:0', "
                 "'outputs/kernel:0', 'outputs/bias:0', 'batch_normalization_2/beta:0', "
                 "'batch_normalization_2/gamma:0']")


def run_cli(*args, env=None, cwd=ROOT):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "tf1repro", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=300)


def test_vars_prints_the_notebook_list_character_for_character():
    r = run_cli("vars")
    assert r.returncode == 0, r.stderr
    assert r.stdout == NOTEBOOK_VARS + "\n"
    assert r.stderr == ""  # no TensorFlow chatter


def test_vars_of_cell7_has_the_same_names():
    r = run_cli("vars", "--variant", "cell7")
    assert r.stdout == NOTEBOOK_VARS + "\n"


def test_train_help_shows_every_flag_with_its_default():
    r = run_cli("train", "--help")
    assert r.returncode == 0
    text = " ".join(r.stdout.split())
    for flag, default in [("--epochs", "20"), ("--batch-size", "200"),
                          ("--learning-rate", "0.1"), ("--variant", "cell11")]:
        assert flag in text
        assert f"(default: {default})" in text.split(flag, 2)[-1]
    for flag in ("--seed", "--data-dir", "--checkpoint"):
        assert flag in text


def test_top_level_help_lists_the_commands():
    r = run_cli("--help")
    assert r.returncode == 0
    for command in ("train", "vars", "eval", "test"):
        assert command in r.stdout


@pytest.mark.parametrize("args, expected", [
    (["--epochs", "0"], "expected a whole number >= 1"),
    (["--epochs", "-3"], "expected a whole number >= 1"),
    (["--batch-size", "0"], "expected a whole number >= 1"),
    (["--batch-size", "two"], "invalid int value: 'two'"),
    (["--learning-rate", "-0.1"], "expected a finite number > 0"),
    (["--learning-rate", "fast"], "invalid float value: 'fast'"),
    (["--variant", "cell8"], "invalid choice: 'cell8'"),
    (["--seed", "-1"], "expected 0 ... 2**31-1"),
])
def test_bad_flags_are_one_line_errors(args, expected):
    r = run_cli("train", *args)
    assert r.returncode == 2
    assert expected in r.stderr
    assert "Traceback" not in r.stderr


def test_flags_alone_mean_train():
    r = run_cli("--epochs", "0")
    assert r.returncode == 2
    assert "usage: tf1repro train" in r.stderr


def test_missing_checkpoint_is_a_one_line_error(tmp_path):
    for command in ("eval", "vars"):
        r = run_cli(command, "--checkpoint", str(tmp_path / "nothing.ckpt"))
        assert r.returncode == 2, command
        assert "no such checkpoint" in r.stderr
        assert "Traceback" not in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1


REFERENCE = os.path.join(ROOT, "checkpoints", "reference", "my_model_final.ckpt")


def test_reference_checkpoint_lists_the_notebook_variables():
    r = run_cli("vars", "--checkpoint", REFERENCE)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "18 variables, 267,430 trainable parameters" in lines[0]
    trainable = [line.split()[0] + ":0" for line in lines[1:] if line.endswith(" trainable")
                 and not line.endswith("not trainable")]
    assert str(trainable) == NOTEBOOK_VARS


def test_eval_of_the_reference_checkpoint_reproduces_its_training_log():
    # train.log is what `./run.sh --seed 1` printed when it saved this checkpoint.
    with open(os.path.join(os.path.dirname(REFERENCE), "train.log")) as f:
        log = f.read().splitlines()
    r = run_cli("eval", "--checkpoint", REFERENCE)
    assert r.returncode == 0, r.stderr
    out = r.stdout.splitlines()
    assert out[-1] == log[-2]  # "Test accuracy: ..." (the last line is '# saved ...')
    assert out[-2] == "Validation accuracy: " + log[-4].split("Validation accuracy: ")[1]
