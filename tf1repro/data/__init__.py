"""MNIST as TF 1.x's ``read_data_sets`` gave it: IDX files, data sets and batches, provisioning.

``idx`` reads and verifies files, ``datasets`` splits and batches them, ``provision`` fetches them.
May import ``errors`` and ``files`` only.
"""
