"""Grader side of the sandbox: starts the warm processes, hands out children, talks to them
through `protocol`. Never runs student code and never imports the child side's modules."""
