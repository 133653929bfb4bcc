"""What the ``tf1repro.tf1`` namespaces answer for a name they do not have."""

from collections import Counter

from tf1repro.layers import Unsupported

# Names asked for and refused, counted in this process: ``run``'s summary reads them.
asked = Counter()


def forbid_missing(namespace, supported):
    """A module ``__getattr__`` that refuses TF 1.x names it lacks with ``Unsupported``.

    Not an ``AttributeError``: Python turns one raised during ``from ... import
    name`` into a bare "cannot import name", and this message, naming what
    the namespace does provide, is the one a user needs.  Private and dunder
    names stay ordinary ``AttributeError``s, as tools that probe modules expect.
    """
    def __getattr__(name):
        if name.startswith("_"):
            raise AttributeError(f"module {namespace!r} has no attribute {name!r}")
        asked[f"{namespace}.{name}"] += 1
        raise Unsupported(
            f"{namespace}.{name} is not supported by tf1repro.tf1 (TF 1.x had it; this "
            f"reproduction does not); {namespace} provides: {', '.join(supported)}")
    return __getattr__
