import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_path_collation_c"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskWorker",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("worker_id", models.CharField(max_length=64, unique=True)),
                ("started_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("seen_at", models.DateTimeField()),
            ],
            options={
                "verbose_name": "task worker",
                "verbose_name_plural": "task workers",
            },
        ),
    ]
