"""``run``'s command line, ``--set``/``--smoke``, ``--with`` and the README's own examples.

Every ``./run.sh run ...`` line of the README's code blocks is run here exactly as
printed (``python -m tf1repro`` standing for ``./run.sh``), in a folder holding
the files it names: ``my_tf1_script.py`` (prints its argv), ``chapter11.ipynb``
(the era notebook of tests/programs) and the repository's ``notebooks/``.
"""

import ast
import json
import os
import re
import shutil
import subprocess
import sys

import pytest

from seed import ROOT
from test_run import NOTEBOOK, run
from tf1repro import notebook
from tf1repro.runner import overrides

README = os.path.join(ROOT, "README.md")
SCRIPT = "import sys\nimport tensorflow as tf\nprint('argv:', sys.argv[1:], tf.__name__)\n"


def readme_examples():
    """The ``./run.sh run ...`` commands in the README's code blocks, comments included."""
    with open(README) as f:
        blocks = re.findall(r"^```[^\n]*\n(.*?)^```$", f.read(), re.S | re.M)
    found = []
    for line in "\n".join(blocks).splitlines():
        for command in re.findall(r"\./run\.sh run ([^#`]*)", line):
            found.append(command.strip())
    return found


def _argv_after(command, path):
    words = command.split()
    return words[words.index(path) + 1:]


def check_script(command, proc):
    assert proc.returncode == 0, proc.stderr
    assert f"argv: {_argv_after(command, 'my_tf1_script.py')} tf1repro.tf1" in proc.stdout


def check_chapter(command, proc):
    assert proc.returncode == 1  # the era notebook's cell 5 fails on purpose
    injected = 1 if "-p " in command else 0  # -p adds a cell of its own
    if "--keep-going" in command:
        assert f"# summary: {6 + injected} cells run, 1 failed, 0 skipped" in proc.stdout
    else:
        assert f"# summary: {5 + injected} cells run, 1 failed, 1 skipped" in proc.stdout
    epochs = 1 if ("-p n_epochs 1" in command or "--smoke" in command) else 3
    assert re.findall(r"^epoch (\d)$", proc.stdout, re.M) == [str(e) for e in range(epochs)]
    if "--smoke" in command:
        assert "#   cell 2 line 1: n_epochs 3 -> 1" in proc.stdout


def seed_run_is_test_notebooks(command, monkeypatch):
    """The seed's two-epoch run is test_notebook.py's (``notebook --epochs 2``, 13 s): the README's
    command must parse to the very ``run`` arguments that ``notebook --epochs 2`` hands to run."""
    import argparse

    from tf1repro import cli
    handed = []
    monkeypatch.setattr(cli, "main", lambda argv, log=None: handed.append(argv))
    cli.cmd_notebook(argparse.Namespace(out="/tmp/seedrun", timeout=1800, epochs=2, notebook=None),
                     log=None)
    parser = cli.build_parser()
    readme = vars(parser.parse_args(["run", *command.split()]))
    built = vars(parser.parse_args(handed[0]))
    built["path"] = os.path.relpath(built["path"], ROOT)
    return readme == built


def grid_sample_parses(command):
    """The grid's sample is a recorded run of a lab script not in this repository (MNIST,
    20 trainings: minutes); tests/test_grid.py runs grids.  Here: the command as printed
    parses to that grid (seeds 1..10, two learning rates, 2 jobs of 1 thread)."""
    from tf1repro import cli
    args = cli.build_parser().parse_args(["run", *command.split()])
    return (args.seeds, args.grid, args.jobs, args.threads, args.path) == (
        10, ["learning_rate=0.001,0.01"], 2, 1, "lab-10-1-mnist_softmax.py")


CHECKS = {"my_tf1_script.py": check_script, "chapter11.ipynb": check_chapter,
          "notebooks/seed_000_c5963ccd6037a953.ipynb": None, "lab-10-1-mnist_softmax.py": None}


def test_every_readme_example_runs_as_printed(tmp_path, monkeypatch):
    pytest.importorskip("nbclient", reason="the notebook extra: pip install -e .[notebook]")
    (tmp_path / "my_tf1_script.py").write_text(SCRIPT)
    shutil.copy(NOTEBOOK, tmp_path / "chapter11.ipynb")
    shutil.copy(os.path.join(os.path.dirname(NOTEBOOK), "era_helpers.py"), tmp_path)
    examples = readme_examples()
    assert len(examples) >= 5, examples
    for command in examples:
        words = command.split()
        path = next((w for w in words if w in CHECKS), None)
        assert path is not None, f"a README example no test knows: {command}"
        if path == "lab-10-1-mnist_softmax.py":
            assert grid_sample_parses(command), command
            continue
        if CHECKS[path] is None:
            assert seed_run_is_test_notebooks(command, monkeypatch), command
            continue
        proc = run(*words, cwd=str(tmp_path))
        CHECKS[path](command, proc)


@pytest.mark.parametrize("argv, message", [
    (["--bogus", "x.py"], "run: unrecognized arguments: --bogus (see run --help)"),
    (["--timeout", "soon", "x.py"], "run: argument --timeout: invalid float value: 'soon'"),
    (["x.ipynb", "--epochs", "1"], "x.ipynb: a notebook takes no program arguments, only run's "
                                   "flags (got --epochs 1)"),
    (["--set", "n_epochs", "x.py"], "--set n_epochs: give NAME=VALUE"),
    ([], "run: the following arguments are required: PATH (see run --help)"),
])
def test_bad_flags_are_one_line_and_exit_2(tmp_path, argv, message):
    for name in ("x.py", "x.ipynb"):
        (tmp_path / name).write_text("{}" if name.endswith("ipynb") else "pass\n")
    proc = run(*argv, cwd=str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith(f"tf1repro: error: {message}"), \
        proc.stderr


def _override(source, rules):
    changed = overrides.Overrides(rules, "cell")
    tree = changed.visit(ast.parse(source))
    namespace = {}
    exec(compile(tree, "<cell>", "exec"), namespace)  # noqa: S102
    return namespace, overrides.describe(changed.done)


def test_set_overrides_every_assignment_and_says_where():
    source = ("n_epochs = 40\n"
              "def train():\n"
              "    n_epochs = 1000\n"
              "    return n_epochs\n"
              "a = n_epochs = 7\n"
              "n_iterations, batch_size = 1500, 50\n"
              "n_epochs += 1\n"                     # a count, not a setting: kept
              "class C:\n"
              "    batch_size: int = 64\n")
    rules = overrides.parse(["n_epochs=2", "batch_size=5"])
    ns, said = _override(source, rules)
    assert (ns["n_epochs"], ns["train"](), ns["a"], ns["batch_size"], ns["C"].batch_size) == (3, 2, 7, 5, 5)
    assert said == ["cell line 1: n_epochs 40 -> 2", "cell line 3: n_epochs 1000 -> 2",
                    "cell line 5: n_epochs 7 -> 2", "cell line 6: batch_size 50 -> 5",
                    "cell line 9: batch_size 64 -> 5"]


def test_smoke_caps_only_whole_numbers_above_one():
    source = ("n_epochs = 40\nn_iterations = 1\nnum_epochs = None\ntraining_epochs = FLAGS\n"
              "max_steps = 2000\nn_steps = 28\n")  # n_steps: the era's sequence length
    ns, said = _override(source.replace("FLAGS", "'x'"), overrides.parse([], smoke=True))
    assert (ns["n_epochs"], ns["n_iterations"], ns["num_epochs"], ns["max_steps"], ns["n_steps"]) \
        == (1, 1, None, 1, 28)
    assert said == ["cell line 1: n_epochs 40 -> 1", "cell line 5: max_steps 2000 -> 1"]


def test_tensorflow_core_stays_tensorflows():
    """``from tensorflow.core.protobuf import rewriter_config_pb2`` (TF 1.x programs set
    Grappler's options with it) is TensorFlow's own protocol buffer, as ``tensorflow.python``."""
    from tf1repro.runner import import_rule
    namespace = {}
    exec(import_rule.compile_program(  # noqa: S102
        "from tensorflow.core.protobuf import rewriter_config_pb2\n"
        "import tensorflow.core.framework.graph_pb2 as graph_pb2\n", "<era>"), namespace)
    assert namespace["rewriter_config_pb2"].__name__ == "tensorflow.core.protobuf.rewriter_config_pb2"
    assert namespace["rewriter_config_pb2"].RewriterConfig.OFF == 2  # rewriter_config.proto: OFF = 2
    assert namespace["graph_pb2"].GraphDef.__name__ == "GraphDef"


def test_with_maps_an_era_pin_to_a_release_that_installs_and_imports(tmp_path):
    """tabulate 0.8.1 (2017) published no wheel; 0.8.7 is the first after it that pip installs
    without a build (the registry's files: 0.7.7, 0.8.7, 0.8.8, ...), but it fails on import under
    Python 3.10+ (its ``from collections import Iterable``); 0.8.10, the latest of its minor
    series, imports.  The program's own bad call then fails inside tabulate: tabulate's side."""
    program = tmp_path / "table.py"
    program.write_text("import tabulate\nprint(tabulate.__version__)\ntabulate.tabulate(5)\n")
    (tmp_path / "requirements.txt").write_text("tensorflow==1.4.0  # the era's\nnumpy==1.13.3\n")
    envs = tmp_path / "envs"
    proc = run("--with", "tabulate==0.8.1", "--requirements", str(tmp_path / "requirements.txt"),
               "--report", str(tmp_path / "r.json"), str(program),
               env={"TF1REPRO_PROGRAM_ENVS": str(envs)})
    assert proc.returncode == 1, proc.stderr
    assert "# libraries: tensorflow==1.4.0, numpy==1.13.3: .venv's TensorFlow and NumPy serve " \
           "the program" in proc.stdout
    assert "# libraries: tabulate==0.8.1 -> tabulate==0.8.10 (0.8.1 does not install here without " \
           "a build; 0.8.7 is the first release after it that does; 0.8.7 installs but does not " \
           "import (ImportError: cannot import name 'Iterable' from 'collections'" in proc.stdout
    assert "0.8.10 is the first later release tried that does)" in proc.stdout
    assert "\n0.8.10\n" in proc.stdout
    assert re.search(rf'File "{re.escape(str(envs))}/[0-9a-f]+/tabulate.py", line \d+', proc.stderr)
    assert proc.stderr.strip().endswith("TypeError: 'int' object is not iterable")
    assert ": tabulate's side, reached from the program's call" in proc.stdout
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["failure"]["origin"] == "tabulate"
    assert [(m["asked"], m["installed"]) for m in report["libraries"]["mapping"]] == \
        [("tabulate==0.8.1", "tabulate==0.8.10")]
    assert report["libraries"]["installed"] == ["tabulate-0.8.10"]
    assert report["libraries"]["import_errors"] == {}
    assert [d for d in os.listdir(envs) if d.startswith(("trying-", "installing-"))] == []
    venv = subprocess.run([sys.executable, "-c", "import tabulate"], capture_output=True)
    assert venv.returncode != 0  # .venv itself was not written


def test_set_reaches_a_calls_keyword_and_a_parameters_default():
    """handson-ml's chapter 11 trains with ``dnn_clf.fit(X, y, n_epochs=1000, ...)`` and
    ``def fit(self, X, y, n_epochs=100, ...)``: bindings of n_epochs as much as ``n_epochs = 40``."""
    source = ("def fit(X, n_epochs=100, *, epochs=7):\n"
              "    return n_epochs, epochs\n"
              "got = fit(0, n_epochs=1000)\n"
              "default = fit(0)\n"
              "none = dict(num_epochs=None)\n")
    ns, said = _override(source, overrides.parse([], smoke=True))
    assert (ns["got"], ns["default"], ns["none"]) == ((1, 1), (1, 1), {"num_epochs": None})
    assert said == ["cell line 1: n_epochs 100 -> 1", "cell line 1: epochs 7 -> 1",
                    "cell line 3: n_epochs 1000 -> 1"]


def test_a_call_whose_arguments_no_longer_fit_is_the_callees_librarys():
    """``RandomizedSearchCV(..., fit_params=...)`` (scikit-learn 0.19; removed in 0.21) raises a
    TypeError in the program's own frame; the callee Python's message names is looked up there.
    termcolor stands for the library (installed in .venv: its ``colored`` takes no ``blink``)."""
    from tf1repro.runner import summary
    namespace = {}
    try:
        exec(compile("from termcolor import colored\ncolored('x', blink=True)\n",  # noqa: S102
                     "/nowhere/era_program.py", "exec"), namespace)
    except TypeError as e:
        got = summary.failure(e, ["/nowhere"])
    assert got["error"] == "TypeError: colored() got an unexpected keyword argument 'blink'"
    assert got["origin"] == "termcolor"
    assert got["why"].startswith("termcolor's side, reached from the program's call")
