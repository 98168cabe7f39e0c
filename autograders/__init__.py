"""The `derivatives` assignment's isolated autograder.

Kept empty on purpose: the sandbox's warm process imports `autograders.sandbox`, and importing
this package must not pull the rubric, the references or the problem registry into a process
that later runs student code.
"""
