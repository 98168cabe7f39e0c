"""Grading on Gradescope: the autograder zip (`build`) and what runs inside it (`run`).

    autograders gradescope build --out autograder.zip [--secret-file F]

The zip holds `setup.sh` (run once when Gradescope builds its image), `run_autograder` (run
for every submission), a wheel of this project built at build time, `constraints.txt`, and the
secret that keys the hidden inputs. See docs/gradescope.md.
"""
