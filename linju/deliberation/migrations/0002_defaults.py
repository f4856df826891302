"""The default procedures and meeting kinds (linju/deliberation/defaults.py)."""

from django.db import migrations


def add(apps, schema_editor):
    from linju.deliberation.defaults import install

    install(apps)


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
