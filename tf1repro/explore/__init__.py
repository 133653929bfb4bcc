"""Looking at runs: records and statistics, pictures, seed sweeps and the ablation on Ray.

Each training here is a call of ``tf1repro.runs.start``; the driver schedules and collects.
May import ``runs``, ``cells``, ``data``, ``files``; nothing imports it but ``cli`` and ``bench``.
"""
