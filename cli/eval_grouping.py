"""Evaluate the grouping stage (not implemented yet: this command says so and fails)."""

from __future__ import annotations

import argparse
import sys

from streams.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*")


def run(settings: Settings, args: argparse.Namespace) -> int:
    print("newsstream eval grouping: not implemented yet", file=sys.stderr)
    return 2
