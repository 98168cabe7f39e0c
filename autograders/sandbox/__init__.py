"""The only place student code runs.

Grader side: `pool` starts the warm process (`zygote`) and talks to the children it forks.
Child side: `zygote`, `child`, `encode`, `confine` run inside the sandboxed processes; they
import torch, matplotlib and IPython but never the rubric, the references or the registry.
"""
