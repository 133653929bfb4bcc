"""TF 1.x's implementations behind ``tf1repro.tf1``, and the program runner (``run``).

May import tfcompat, files, errors and data; never the notebook reproduction or the exploration tools.
"""
