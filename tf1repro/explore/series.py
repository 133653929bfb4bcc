"""A program's printed lines as series of numbers: what ``run --seeds`` summarises and draws.

    found = parse(text)                       # {"cost": [(1, 5.88), (2, 1.86), ...], "Accuracy": [(None, 0.9035)]}
    found = parse(text, r"step (?P<step>\\d+) loss (?P<loss>\\S+)")   # one's own pattern
    text = recorded_output("lab.py")          # what the program carries from its own run

The default pattern reads the era's training lines.  A line that begins with a
counter, optionally after ``Epoch``/``Step``/``Iter`` and ``:``, is one point
of each series on it, at that counter: a ``LABEL: NUMBER`` or ``LABEL = NUMBER``
pair is a point of series LABEL (``0 Batch accuracy: 0.945 Validation accuracy:
0.9442``, ``Epoch: 0001 cost = 5.888845987``, ``Step: 100, Loss: 0.52``); with no
label, the numbers right after the counter are series ``value``, ``value 2``, ...
(``200 0.6931 [[...]]``, the labs' ``print(step, cost_val)``).  A line that is
only ``LABEL: NUMBER`` (``Accuracy: 0.9035``, ``Test accuracy: 0.9796``) is a
series of one point.  A pattern of one's own: a line that ``re.search`` matches
is a point; a named group ``step`` (or ``epoch``) is its counter, every other
named group a series of that name.
"""

import ast
import json
import math
import re

from tf1repro.errors import UserError

NUMBER = r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)"
_COUNTER = re.compile(r"^\s*(?:(?:epoch|step|iter(?:ation)?)\b\s*[:=#]?\s*)?(\d+)\b[\s,:]*(.*)$",
                      re.I)
_LABELLED = re.compile(r"([A-Za-z][A-Za-z0-9_ ./()\-]*?)\s*[:=]\s*\[?\s*(" + NUMBER + r")(?![\w.])")
_UNNAMED = re.compile(r"\s*,?\s*(" + NUMBER + r")(?=[\s,]|$)")
_SCALAR = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_ ./()\-]*?)\s*[:=]\s*\[?\s*(" + NUMBER + r")\s*\]?\s*$")
DEFAULT_DESCRIPTION = ("a line starting with a counter (after Epoch/Step/Iter), then LABEL: NUMBER "
                       "pairs or bare numbers; or a line that is only LABEL: NUMBER")


def compile_pattern(text):
    """A user's ``--pattern``, or UserError naming what is wrong with it."""
    try:
        pattern = re.compile(text)
    except re.error as e:
        raise UserError(f"--pattern {text!r}: not a regular expression ({e})") from None
    if not set(pattern.groupindex) - {"step", "epoch"}:
        raise UserError(f"--pattern {text!r}: name the numbers to read with groups, "
                        r"e.g. (?P<loss>\S+); (?P<step>\d+) gives their counter")
    return pattern


def _number(text):
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value


def _default_line(line, found):
    counted = _COUNTER.match(line)
    if counted:
        counter, rest = int(counted.group(1)), counted.group(2)
        pairs = _LABELLED.findall(rest)
        if pairs:
            for label, number in pairs:
                found.setdefault(label.strip(), []).append((counter, float(number)))
            return
        values, at = [], 0
        while True:
            m = _UNNAMED.match(rest, at)
            if not m:
                break
            values.append(float(m.group(1)))
            at = m.end()
        for i, value in enumerate(values):
            found.setdefault("value" if i == 0 else f"value {i + 1}", []).append((counter, value))
        return
    scalar = _SCALAR.match(line)
    if scalar:
        found.setdefault(scalar.group(1).strip(), []).append((None, float(scalar.group(2))))


def parse(text, pattern=None):
    """{series name: [(counter or None, value), ...]} in the order the lines came."""
    found = {}
    for line in text.splitlines():
        if pattern is None:
            _default_line(line, found)
            continue
        m = pattern.search(line)
        if not m:
            continue
        groups = m.groupdict()
        counter = groups.get("step", groups.get("epoch"))
        counter = int(_number(counter)) if _number(counter) is not None and math.isfinite(_number(counter)) else None
        for name, value in groups.items():
            if name in ("step", "epoch") or _number(value) is None:
                continue
            found.setdefault(name, []).append((counter, _number(value)))
    return found


def final(points):
    return points[-1][1] if points else None


def recorded_output(path):
    """The output a program carries from its own run: a notebook's saved stdout, a script's
    top-level string literals (the labs' trailing ``'''Epoch: 0001 cost = ...'''``); '' if none."""
    try:
        with open(path, encoding="utf-8") as f:
            source = f.read()
    except (OSError, UnicodeDecodeError):
        return ""
    if path.lower().endswith(".ipynb"):
        try:
            nb = json.loads(source)
        except ValueError:
            return ""
        texts = []
        for cell in nb.get("cells", nb.get("worksheets", [{}])[0].get("cells", [])):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name", "stdout") == "stdout":
                    text = out.get("text", "")
                    texts.append("".join(text) if isinstance(text, list) else text)
        return "".join(texts)
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    return "\n".join(s.value.value for s in tree.body[1:]  # not the module's docstring
                     if isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant)
                     and isinstance(s.value.value, str))
