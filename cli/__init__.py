"""The ``newsstream`` command line (also ``python -m streams``)."""
