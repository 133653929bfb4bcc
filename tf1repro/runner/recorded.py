"""What a program printed when it was published, and how much of it a rerun prints again.

    rec = from_log("train.log")              # {"": [lines]}: a script's recorded log
    rec = from_notebook(nb)                   # {"In [3]": [lines], ...}: saved outputs per cell
    n, total, first_miss = identical(rec, from_notebook(executed))

A line counts as reproduced when the rerun printed the same text (surrounding
blanks aside) in the same cell, once for each time it was recorded; lines
of no evidence (blank, "...", "…") are not counted.  Order within a cell is
not required: a log cut with "..." keeps its lines but not their places.
"""

import collections

from tf1repro.errors import UserError

_ELLIPSES = {"...", "…", "....", "(...)"}


def lines(text):
    """The lines of ``text`` that are evidence: stripped, not blank, not an ellipsis."""
    out = [line.strip() for line in text.splitlines()]
    return [line for line in out if line and line not in _ELLIPSES]


def from_log(path):
    """A script's recorded output (a log file): {"": lines}."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError as e:
        raise UserError(f"{path}: cannot read the recorded log ({e.strerror})") from None
    return {"": lines(text)}


def _cell_text(cell):
    parts = []
    for out in cell.get("outputs", []):
        kind = out.get("output_type")
        if kind == "stream" and out.get("name") == "stdout":
            text = out.get("text", "")
        elif kind in ("execute_result", "display_data"):
            text = out.get("data", {}).get("text/plain", "")
        else:  # stderr (warnings of the day), errors, images: not what TF computed
            continue
        parts.append("".join(text) if isinstance(text, list) else text)
    return "".join(parts)


def from_notebook(nb):
    """{label: lines} of each code cell's saved stdout and results, labelled by position."""
    cells = [c for c in nb.cells if c.cell_type == "code"]
    return {f"code cell {n}": lines(_cell_text(c)) for n, c in enumerate(cells, 1)}


def count(recorded):
    return sum(len(v) for v in recorded.values())


def identical(recorded, printed):
    """(lines reproduced, lines recorded, the first recorded line not reproduced or None)."""
    same, first_miss = 0, None
    for key, wanted in recorded.items():
        have = collections.Counter(line.strip() for line in printed.get(key, []))
        for line in wanted:
            if have[line] > 0:
                have[line] -= 1
                same += 1
            elif first_miss is None:
                first_miss = (key, line)
    return same, count(recorded), first_miss
