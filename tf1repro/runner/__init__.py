"""How a TF 1.x program is run (``./run.sh run``): ``run_command`` (the command), ``import_rule``,
``era_numpy``, ``parameters`` (-p), ``overrides`` (--set, --smoke), ``libraries`` (--with),
``program`` (a script as ``__main__``), ``kernel`` (a notebook), ``summary`` (the end, whose failure),
``arithmetic`` (``--tf1-arithmetic``), ``pins``, ``recorded``, ``which_release`` (``which-release``).
May import ``runtime``, ``tfcompat``, ``files`` and ``errors``; never ``cells``, ``runs``, ``explore`` or ``cli``.
"""
