"""``bench``: the training loops and their peers (Keras 3, PyTorch, the notebook's own cells) timed.

``command`` measures ``contenders``, each in a process of its own; ``sweep`` times a Ray sweep.
May import everything below ``cli``; nothing imports ``bench`` but ``cli``.
"""
