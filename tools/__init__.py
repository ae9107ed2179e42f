"""Developer tools: the benchmark, the fault runs and the evaluations.

They live in the source checkout, apart from the product: not in the wheel, not in the image.
``newsstream bench`` and ``newsstream eval`` find them when run from a checkout (``make``
installs it in editable mode); ``python -m tools.chaos`` runs the fault runs.
"""
