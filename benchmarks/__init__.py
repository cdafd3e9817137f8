"""Benchmarks against the LinkedIn sandbox: `python -m benchmarks [sync|pages|all] [options]`.

Each runs the sandbox in its own process, so that the figures measure our code, not the
sandbox sharing our interpreter. See shared/benchmarks.md beside the project for what peers reach.
"""
