"""Tools for authoring the assignment's demo and test submissions from its release notebooks.

Used by `scripts/make_samples.py` and by the grader's test corpus; never by the sandbox that
runs student code.
"""
