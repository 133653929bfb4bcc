"""TF 1.x's implementations behind tf1repro.tf1 ...

Pieces TensorFlow 2.x removed, rebuilt once on core TF; the tf1 namespaces forward to them.
"""
