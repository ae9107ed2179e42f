"""``python -m streams``: the same as the ``newsstream`` command."""

from cli.main import main

if __name__ == "__main__":
    main()
