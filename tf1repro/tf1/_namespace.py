"""What the ``tf1repro.tf1`` namespaces answer for a name they do not have."""


class NotSupported(AttributeError):
    """A ``tf.layers`` / ``tf.contrib`` / ... name of TF 1.x that tf1repro does not provide."""


def not_supported(namespace, name, supported):
    """The error for ``namespace.name``, naming what ``namespace`` does provide."""
    return NotSupported(
        f"{namespace}.{name} is not supported by tf1repro.tf1 (TF 1.x had it; this "
        f"reproduction does not); {namespace} provides: {', '.join(supported)}")


def forbid_missing(namespace, supported):
    """A module ``__getattr__`` that refuses every name but dunders with ``not_supported``."""
    def __getattr__(name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise not_supported(namespace, name, supported)
    return __getattr__
