"""The LMS round trip: Canvas or Moodle bulk downloads in (`collect`), grades out (`export`).

    autograders collect DOWNLOAD.zip --lms canvas|moodle --roster ROSTER.csv --out SUBMITTED
    autograders grade SUBMITTED --out GRADED
    autograders export GRADED/grades.csv --lms canvas|moodle --roster ROSTER.csv --out IMPORT.csv

`names` reads the LMS's file-name conventions, `roster` maps LMS users to nbgrader ids,
`collect` and `export` do the two ends. See docs/lms.md.
"""
