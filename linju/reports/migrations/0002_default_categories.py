"""The default categories (linju/reports/defaults.py)."""

from django.db import migrations


def add(apps, schema_editor):
    from linju.reports.defaults import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
