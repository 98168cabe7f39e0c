"""Benchmarks of the grading engines; `python -m benchmarks.grading_speed` is the one command."""
