"""The seed notebook's cells as code: ``config`` (In [12]'s numbers), ``graph`` (In [7], In [11]).

A graph builder builds into a fresh ``tf.Graph`` and returns its handles; nothing trains here.
May import ``runtime``, ``data`` and ``tfcompat``; never ``runs``, ``explore`` or ``bench``.
"""
