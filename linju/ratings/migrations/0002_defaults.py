"""The rubric templates (linju/ratings/defaults.py)."""

from django.db import migrations


def add(apps, schema_editor):
    from linju.ratings.defaults import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
