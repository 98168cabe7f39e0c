"""`autograders watch`: a long-running grader that grades each submission as it arrives.

scan.py           student folders polled: mtimes first, then a content digest
store.py          the durable queue and the latest result per student (SQLite)
backends.py       where students are graded: the local warm pool, or a Dask cluster
service.py        the loop: scan -> queue -> grade -> reports -> grades.csv, and SIGTERM
nbgrader_sync.py  optional: each graded student handed to nbgrader (gradebook, exchange)
cli.py            the `watch` and `watch-status` verbs
"""
