"""Benchmarks against the LinkedIn sandbox: `python -m benchmarks [sync|pages|all] [options]`.

Each runs the sandbox in its own process, so that the figures measure our code, not the
sandbox sharing our interpreter. See /work/shared/benchmarks.md for what peers reach.
"""
