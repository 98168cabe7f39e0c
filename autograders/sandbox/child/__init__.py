"""Child side of the sandbox: the warm process and the confined children it forks, where student
code runs. Imports only the standard library, torch, matplotlib, IPython and the shared modules
(`protocol`, `messages`, `limits`): never the rubric, the references or the comparisons."""
