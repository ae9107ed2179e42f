"""newsstream stages: each module a pure half (no I/O) and a thin Faust wiring half."""
