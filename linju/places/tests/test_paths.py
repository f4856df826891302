"""Materialised paths compare byte by byte, so one index serves prefix scans and tree order."""

import pytest
from django.db import connection

from linju.places.paths import PathField, prefixes_of


def test_prefixes_of():
    assert prefixes_of("a/b/") == ["a/", "a/b/"]


@pytest.mark.django_db
def test_path_columns_sort_bytewise():
    expected = "C" if connection.vendor == "postgresql" else None
    assert PathField(max_length=10).db_parameters(connection)["collation"] == expected
    columns = [("places_place", "path"), ("places_household", "path")]
    columns.append(("core_auditevent", "scope_path"))
    with connection.cursor() as cur:
        for table, column in columns:
            if connection.vendor == "postgresql":
                cur.execute(
                    "SELECT collation_name FROM information_schema.columns"
                    " WHERE table_name = %s AND column_name = %s",
                    [table, column],
                )
                assert cur.fetchone() == ("C",), table
