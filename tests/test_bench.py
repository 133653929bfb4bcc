"""The benchmark runs end to end and reports what it promises (not a timing test)."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_bench_writes_medians_and_ratios(tmp_path):
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "-m", "tf1repro", "bench", "--epochs", "1", "--repeats", "1",
                        "--only", "floor,default", "--json", str(out)],
                       cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text())
    for name in ("floor", "default"):
        row = report["contenders"][name]
        for key in ("seconds", "steps_per_s", "peak_rss_mb", "ratio_to_floor"):
            assert row[key] > 0, (name, key)
        assert abs(row["steps_per_s"] * row["seconds"] - 275) < 1e-6
    assert report["contenders"]["floor"]["ratio_to_floor"] == 1.0
    # The default path trains for real: one epoch reaches MNIST-level accuracy.
    assert report["contenders"]["default"]["final_validation_accuracy"] > 0.9
    table = r.stdout.splitlines()
    assert any(line.startswith("floor") for line in table)
    assert any(line.startswith("default") for line in table)


def test_bench_rejects_an_unknown_contender():
    r = subprocess.run([sys.executable, "-m", "tf1repro", "bench", "--only", "floor,jax"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "unknown contender(s) jax" in r.stderr and "Traceback" not in r.stderr


def test_bench_sweep_reports_wall_ideal_and_ray_startup(tmp_path):
    pytest.importorskip("ray", reason="Ray missing: pip install -e .[sweep]")
    out = tmp_path / "bench.json"
    r = subprocess.run([sys.executable, "-m", "tf1repro", "bench", "--sweep", "--epochs", "1",
                        "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(out.read_text())["sweep"]
    assert report["finished"] == 4 and (report["seeds"], report["jobs"], report["threads"]) == (4, 2, 1)
    assert report["ideal_seconds"] == report["one_run_seconds"] * 4 / 2
    for key in ("sweep_seconds", "ray_startup_seconds", "ratio", "side_by_side_seconds"):
        assert report[key] > 0, key
    assert any(line.startswith("sweep / ideal") for line in r.stdout.splitlines())
