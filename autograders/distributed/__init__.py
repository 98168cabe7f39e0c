"""Grading on a Dask cluster: each worker keeps its own warm sandbox, the client writes reports.

    client (grade / watch)            scheduler                 worker (one per host or core)
    register SandboxPlugin  ------->  every worker, also  --->  plugin.setup: a Sandbox with one
                                      ones that join later     slot per worker thread
    submit(grade_on_worker, id, folder) ------------------->  grade_one_student -> StudentResult
    write_student_reports  <------- plain-data result  <-----

Workers read the student folders themselves: the paths must be readable on every worker (the
same machine, or a shared file system mounted at the same path). Dask's own messages are
pickles, so the scheduler, the workers and the client trust each other: see docs/dask.md.
"""
