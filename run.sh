#!/usr/bin/env bash
# Set-up and dispatch only: creates .venv on first use, installs the package,
# then hands every argument to `python -m tf1repro` (train, vars, eval, test,
# bench, plot, compare, sweep, ablation).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.tf1repro-installed"
LOG="$VENV/setup.log"

# `bench` also wants PyTorch (a peer to compare with); nothing else does.
# Once installed it stays, so switching commands never reinstalls.
# matplotlib (plot) draws the pictures of plot, sweep, ablation, train --plot.
EXTRAS="test,plot"
if [ "${1:-}" = "bench" ] || [ -f "$VENV/.tf1repro-bench" ]; then EXTRAS="test,plot,bench"; fi

setup() {
    # Reinstall only when setup.cfg or the extras changed since the last install.
    local want
    want="$EXTRAS $(cat "$ROOT/setup.cfg" "$ROOT/pyproject.toml" | cksum)"
    if [ -x "$VENV/bin/python" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
        return 0
    fi
    echo "# setting up $VENV (TensorFlow and test tools; about a minute; log: $LOG)" >&2
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV" || { echo "run.sh: cannot create a virtual environment with $PYTHON (set PYTHON=python3.11)" >&2; exit 1; }
    fi
    if ! "$VENV/bin/python" -m pip install -e "$ROOT[$EXTRAS]" >"$LOG" 2>&1; then
        echo "run.sh: installing the package failed; the end of $LOG:" >&2
        tail -n 15 "$LOG" >&2
        exit 1
    fi
    echo "$want" >"$STAMP"
    case "$EXTRAS" in *bench*) touch "$VENV/.tf1repro-bench" ;; esac
}

setup
export TF1REPRO_CHECKPOINT="${TF1REPRO_CHECKPOINT:-$ROOT/checkpoints/my_model_final.ckpt}"
exec "$VENV/bin/python" -m tf1repro "$@"
