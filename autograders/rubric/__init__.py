"""The rubric as pytest tests: `pytest autograders/rubric --submission STUDENT_FOLDER`.

One test per check of the registry, named by its test cell id. The submission runs in the
sandbox once per session; each test then asserts its check's verdict, and a failure shows the
message a student would read.
"""
