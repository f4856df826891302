"""Materialised paths: the field that stores them and helpers on them."""

from django.db import models


class PathField(models.CharField):
    """A materialised path ("0000000001/0000000007/"), compared byte by byte.

    On PostgreSQL the column gets the "C" collation, so one plain btree index serves both
    `LIKE 'prefix%'` (everything under a place) and `ORDER BY path` (tree order, page by page);
    under a language collation LIKE needs a second, pattern_ops index, which cannot sort.
    SQLite compares bytes already (BINARY)."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


def prefixes_of(path: str) -> list[str]:
    """Every ancestor path of `path`, itself included: "a/b/" → ["a/", "a/b/"]."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]
