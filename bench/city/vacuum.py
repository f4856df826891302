"""Stage "vacuum", always last: VACUUM the whole database once it is filled.

Autovacuum may be off (it is on the bench server) and never ran on tables loaded in bulk, so
without this the first reads of each page would set its hint bits (writing it) and index-only
scans would visit the heap for want of a visibility map: a load test would measure that
warm-up instead of the application. Planner statistics are already there (each stage runs
ANALYZE on what it wrote).
"""


def fill_vacuum(ctx):
    ctx.conn.execute("VACUUM")
