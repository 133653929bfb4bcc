"""The suite's order: its longest files first, so that two workers (``./run.sh test`` runs
pytest-xdist with ``--dist loadfile``) do not end with one long file running alone.

The order changes no test: each file still runs whole, on one worker, its own tests in
their own order.  The seconds are one serial run's (``--durations=0``, 2 cores, 2026-12-03);
a file not named runs after these, in pytest's order.
"""

# (file, its seconds in that run), longest first, but the 20-epoch training of
# test_regression's fixture, one test that cannot be shared, starts before all.
FIRST = [name for name, _ in (
    ("test_regression.py", 137), ("test_resources.py", 357), ("test_reliability.py", 356),
    ("test_explore.py", 234), ("test_ray.py", 203), ("test_bench.py", 127),
    ("test_tf1_cells.py", 121), ("test_notebook.py", 79), ("test_run_flags.py", 54),
    ("test_train.py", 45), ("test_cli.py", 44), ("test_seeds.py", 43), ("test_run.py", 39),
    ("test_grid.py", 26),
)]


def pytest_collection_modifyitems(session, config, items):
    def rank(item):
        name = item.path.name
        return FIRST.index(name) if name in FIRST else len(FIRST)
    items.sort(key=rank)  # stable: within a file, and among the rest, pytest's order
