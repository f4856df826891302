"""Room on each page of ratings_target for the ranking's new row versions (PostgreSQL): with
no indexed column changed, each is a HOT update — no index is written (see models.Target).
Measured in docs/performance.md, "Ranking a month of 100,000 units"."""

from django.db import migrations


def room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ratings_target SET (fillfactor = 50)")


def no_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE ratings_target RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("ratings", "0002_defaults")]
    operations = [migrations.RunPython(room, no_room)]
