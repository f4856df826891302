"""Every public notice deliberation (and the contest) published before the notices app existed
goes on the board as a published result, as publishing.publish does for new ones."""

from django.db import migrations


def forward(apps, schema_editor):
    Publication = apps.get_model("deliberation", "Publication")
    Notice = apps.get_model("notices", "Notice")
    done = set(Notice.objects.exclude(source="").values_list("source", flat=True))
    rows = []
    for pub in Publication.objects.order_by("pk").iterator(chunk_size=2000):
        source = f"deliberation.publication:{pub.pk}"
        if source in done:
            continue
        if pub.ballot_id:
            link = f"/deliberation/ballots/{pub.ballot_id}/"
        elif pub.meeting_id:
            link = f"/deliberation/meetings/{pub.meeting_id}/"
        elif pub.topic_id:
            link = f"/deliberation/topics/{pub.topic_id}/"
        else:
            link = ""
        rows.append(
            Notice(
                place_id=pub.place_id,
                path=pub.path,
                kind="result",
                title=pub.title[:120],
                body=pub.body[:10000],
                status="published",
                source=source,
                source_app="ratings" if pub.kind == "rating" else "deliberation",
                link=link,
                author_id=pub.published_by_id,
                created_at=pub.published_at,
                published_at=pub.published_at,
            )
        )
        if len(rows) >= 2000:
            Notice.objects.bulk_create(rows)
            rows = []
    Notice.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0001_notices_and_newsletter"),
        ("deliberation", "0006_alter_publication_kind"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
