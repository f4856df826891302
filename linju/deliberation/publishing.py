"""Shared writes of deliberation: the public notice (公示) and the recorded decision (决议).
Called inside the caller's transaction; notifications go out after it commits."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from linju.core import audit
from linju.core.notifications import notify_many
from linju.notices.services import publish_result

from .models import Decision, Publication


def publish(*, user, kind, place, title, body, topic=None, ballot=None, meeting=None):
    """Put a notice on the board of `place` (the topic's record, and the scope's notice board
    of the notices app) and tell the residents who follow the topic."""
    pub = Publication.objects.create(
        kind=kind,
        place=place,
        path=place.path,
        title=title,
        body=body,
        topic=topic,
        ballot=ballot,
        meeting=meeting,
        published_by=user,
    )
    audit.record(actor=user, verb="deliberation.publish", obj=pub, data={"kind": kind})
    _on_board(user, pub)
    if topic is not None:
        followers = list(topic_followers(topic))
        if followers:
            url = reverse("deliberation:topic", args=[topic.pk])
            transaction.on_commit(
                lambda: notify_many(
                    messages=[
                        {"recipients": followers, "title": title, "body": body[:200], "url": url}
                    ],
                    kind="deliberation.update",
                )
            )
    return pub


def revise(*, user, publication_id, title, body) -> None:
    """A notice published again (a ranking corrected after an objection): the board shows
    the corrected text only."""
    now = timezone.now()
    Publication.objects.filter(pk=publication_id).update(
        title=title, body=body, published_at=now, published_by=user
    )
    _on_board(user, Publication.objects.select_related("place").get(pk=publication_id))


def _on_board(user, pub) -> None:
    """The scope's notice board (notices app) lists every publication as a published result."""
    if pub.ballot_id:
        link = reverse("deliberation:ballot", args=[pub.ballot_id])
    elif pub.meeting_id:
        link = reverse("deliberation:meeting", args=[pub.meeting_id])
    elif pub.topic_id:
        link = reverse("deliberation:topic", args=[pub.topic_id])
    else:
        link = ""
    publish_result(
        user=user,
        place=pub.place,
        title=pub.title,
        body=pub.body,
        source=f"deliberation.publication:{pub.pk}",
        source_app="ratings" if pub.kind == Publication.Kind.RATING else "deliberation",
        link=link,
    )


def topic_followers(topic):
    """Ids of the proposer and every supporter: they hear of each step."""
    ids = set(topic.supports.exclude(user=None).values_list("user_id", flat=True))
    if topic.proposer_id:
        ids.add(topic.proposer_id)
    return sorted(ids)


def record_decision(*, user, topic, text, meeting=None, ballot=None, at=None) -> Decision:
    decision = Decision.objects.create(
        topic=topic,
        text=text,
        meeting=meeting,
        ballot=ballot,
        decided_by=user,
        decided_at=at or timezone.now(),
    )
    audit.record(
        actor=user,
        verb="deliberation.decide",
        obj=decision,
        data={"topic": topic.pk, "meeting": meeting and meeting.pk, "ballot": ballot and ballot.pk},
    )
    return decision
