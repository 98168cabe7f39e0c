"""Mutation testing of the rubric: `python -m benchmarks.mutants`.

The instructor's solution answers are mutated through their syntax trees (`operators`,
`generate`); mutants that behave like the solution on a wide battery of inputs are set aside as
equivalent (`battery`, `harness`, `equivalence`, run in subprocesses); the rest are graded by the
real `python -m autograders grade` (`grading`), and each counts as caught when it loses points on
its own question (`report`).
"""
