"""What deliberation holds about a person, for the PIPL download and account deletion. Topics,
decisions and ballots stay when a person leaves (they are the community's record); supports
and votes keep counting, evaluations lose their comment, representation ends."""

from django.utils import timezone

from .models import Evaluation, Invitee, Representative, Topic, TopicSupport, Vote


def export(user) -> dict:
    return {
        "topics": [
            {
                "id": t.pk,
                "title": t.title,
                "body": t.body,
                "status": t.status,
                "proposed_at": t.created_at.isoformat(),
            }
            for t in Topic.objects.filter(proposer=user)
        ],
        "supported_topics": sorted(
            TopicSupport.objects.filter(user=user).values_list("topic_id", flat=True)
        ),
        "evaluations": [
            {
                "topic": e.topic_id,
                "stars": e.stars,
                "comment": e.comment,
                "at": e.created_at.isoformat(),
            }
            for e in Evaluation.objects.filter(user=user)
        ],
        "meetings": [
            {
                "meeting": i.meeting_id,
                "answer": i.rsvp,
                "checked_in_at": i.checked_in_at and i.checked_in_at.isoformat(),
            }
            for i in Invitee.objects.filter(user=user)
        ],
        # Which ballots the person cast a vote in; the choice stays out (secret ballots).
        # The ballots in which the person's vote (or their household's) was cast, online or
        # entered by staff; the choice stays out (secret ballots).
        "votes_cast": sorted(
            set(
                Vote.objects.filter(elector__members__user=user).values_list("ballot_id", flat=True)
            )
        ),
    }


def erase(user) -> None:
    Evaluation.objects.filter(user=user).update(comment="")
    Representative.objects.filter(user=user, until__isnull=True).update(until=timezone.localdate())
