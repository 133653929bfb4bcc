"""``-p NAME VALUE``: papermill's parameters, injected in a cell (or statement) of their own.

    values = parse(["n_epochs", "1"])                # {"n_epochs": 1}
    where = inject_cells(nb, values)                 # "after cell In [12] (tagged 'parameters')"
    tree = inject_statements(tree, values)           # a script: after its first assignment

A VALUE is a Python literal when it parses as one, else a string.  In a
notebook the new cell goes after the cell tagged ``parameters``, else after the
first top-level cell that assigns NAME, and is tagged ``injected-parameters``.
The original file is never edited: this works on the copy in memory.
"""

import ast
import re

from tf1repro.errors import UserError

TAG, INJECTED = "parameters", "injected-parameters"
_MAGIC = re.compile(r"^\s*[%!].*$", re.M)


def literal(text):
    """A VALUE: the Python literal it spells, else the string itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def parse(pairs):
    """[NAME, VALUE, NAME, VALUE, ...] (argparse's) to {NAME: value}."""
    values = {}
    for name, text in pairs:
        if not name.isidentifier():
            raise UserError(f"-p {name}: not a Python name")
        values[name] = literal(text)
    return values


def _source(values):
    return "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in values.items())


def _assigned(stmt):
    """Names a top-level statement assigns (a = ..., a, b = ..., a: int = ..., a += ...)."""
    targets = (stmt.targets if isinstance(stmt, ast.Assign)
               else [stmt.target] if isinstance(stmt, (ast.AnnAssign, ast.AugAssign)) else [])
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def cell_tree(source):
    """A cell's code as Python parses it (lines kept), or None; magics and shell lines are
    IPython's, not Python's: blanked out."""
    try:
        return ast.parse(_MAGIC.sub("pass", source))
    except SyntaxError:
        return None


def _cell_assigns(cell):
    tree = cell_tree(cell.source)
    return set().union(*(_assigned(s) for s in tree.body)) if tree is not None else set()


def inject_cells(nb, values, label):
    """Insert the parameters cell(s) into the notebook ``nb``; where, in words (``label(cell)``)."""
    import nbformat
    if not values:
        return None
    tagged = next((i for i, c in enumerate(nb.cells)
                   if TAG in c.get("metadata", {}).get("tags", [])), None)
    if tagged is not None:
        at = {tagged: dict(values)}
    else:
        at = {}
        for name, value in values.items():
            i = next((i for i, c in enumerate(nb.cells)
                      if c.cell_type == "code" and name in _cell_assigns(c)), None)
            if i is None:
                raise UserError(f"-p {name}: the notebook has no cell tagged '{TAG}' and no cell "
                                f"assigns {name} at top level; nowhere to inject it")
            at.setdefault(i, {})[name] = value
    where = []
    for i in sorted(at, reverse=True):
        how = f"tagged '{TAG}'" if tagged is not None else "its first assignment"
        where.append(f"{', '.join(f'{k} = {v!r}' for k, v in at[i].items())} after "
                     f"{label(nb.cells[i])} ({how})")
        nb.cells.insert(i + 1, nbformat.v4.new_code_cell(_source(at[i]),
                                                         metadata={"tags": [INJECTED]}))
    return "; ".join(reversed(where))


def inject_statements(tree, values):
    """Insert ``NAME = value`` after the script's first top-level assignment of NAME; where."""
    where = []
    for name, value in values.items():
        i = next((i for i, s in enumerate(tree.body) if name in _assigned(s)), None)
        if i is None:
            raise UserError(f"-p {name}: the program assigns no {name} at top level; "
                            "nowhere to inject it")
        stmt = ast.parse(f"{name} = {value!r}").body[0]
        ast.increment_lineno(stmt, tree.body[i].lineno - 1)  # tracebacks name the assignment's line
        tree.body.insert(i + 1, stmt)
        where.append(f"{name} = {value!r} after line {tree.body[i].lineno}")
    return "; ".join(where)
