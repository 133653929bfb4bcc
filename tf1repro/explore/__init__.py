"""Looking at runs and running many: records and statistics, pictures, seed sweeps and the
ablation on Ray, and a user's program over seeds and a grid of values (``run --seeds``).

Each training here is a call of ``tf1repro.runs.start``, each run of a user's program one of
``tf1repro.runner.run_command.cmd_run``; the driver schedules and collects.
May import ``runs``, ``runner``, ``cells``, ``data``, ``files``; nothing imports it but ``cli`` and ``bench``.
"""
