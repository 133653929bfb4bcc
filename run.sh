#!/usr/bin/env bash
# Set-up and dispatch only: creates .venv on first use, installs the package,
# then hands every argument to `python -m tf1repro` (train, vars, eval, test,
# bench, plot, compare, sweep, ablation, notebook, run, which-release).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.tf1repro-installed"
LOG="$VENV/setup.log"

# Optional extras, installed the first time a command needs one and kept
# after that (a marker in .venv remembers), so switching commands never
# reinstalls: bench wants PyTorch (a peer to compare with), sweep and
# ablation want Ray, notebook wants Jupyter's kernel machinery. matplotlib
# (plot) draws the pictures of plot, sweep, ablation and train --plot.
EXTRAS="test,plot"
case "${1:-}" in
    bench) needs="bench sweep" ;;        # bench --sweep times a Ray sweep
    sweep|ablation) needs=sweep ;;
    notebook|run|which-release) needs=notebook ;;    # a .ipynb runs in a Jupyter kernel
    test) needs="sweep notebook" ;;      # the suite starts a Ray head and a kernel
    *) needs= ;;
esac
for extra in bench sweep notebook; do
    case " $needs " in *" $extra "*) EXTRAS="$EXTRAS,$extra"; continue ;; esac
    if [ -f "$VENV/.tf1repro-$extra" ]; then EXTRAS="$EXTRAS,$extra"; fi
done

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
        if [ "$needs" = sweep ] && [ -f "$VENV/.tf1repro-installed" ]; then
            # Only Ray was new: say so in one line; train, eval, vars work as before.
            echo "run.sh: $1 needs Ray (the [sweep] extra) and installing it failed (details: $LOG); reach the package registry and run again, or: $VENV/bin/pip install -e '$ROOT[sweep]'" >&2
            exit 1
        fi
        echo "run.sh: installing the package failed; the end of $LOG:" >&2
        tail -n 15 "$LOG" >&2
        exit 1
    fi
    echo "$want" >"$STAMP"
    for extra in ${EXTRAS//,/ }; do touch "$VENV/.tf1repro-$extra"; done
}

setup
export TF1REPRO_CHECKPOINT="${TF1REPRO_CHECKPOINT:-$ROOT/checkpoints/my_model_final.ckpt}"
exec "$VENV/bin/python" -m tf1repro "$@"
