"""newsstream declarations: settings, wire records, topic names and the Faust app.

Nothing in this package consumes or produces; the stages live in :mod:`agents`.
"""

PIPELINE_VERSION = "0.1.0"
