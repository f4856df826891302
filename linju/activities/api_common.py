"""What the activities routers share: the shapes of places, activities and people, and who sees a
person's name in full (PIPL)."""

from collections import defaultdict

from linju.core import access
from linju.core.masking import mask_name
from linju.people.models import Residency, ResidencyStatus


def place_ref(place) -> dict:
    return {"id": place.pk, "name": place.name}


def activity_ref(a) -> dict:
    return {
        "id": a.pk,
        "title": a.title,
        "kind": a.kind,
        "kind_label": str(a.get_kind_display()),
        "venue": a.venue,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "status": a.status,
        "place": place_ref(a.place),
    }


def people(viewer, users) -> dict[int, dict]:
    """Person id → {id, name}: the name in full for the person themselves and for handlers whose
    personal-data scope holds one of the person's households (core.access.can_see_personal_data),
    masked (张*明) otherwise. One query for the households of them all, none when the viewer
    handles personal data nowhere."""
    users = {u.pk: u for u in users}
    paths = defaultdict(list)
    if users and access.scope(viewer, "people.view_personal_data"):
        for user_id, path in (
            Residency.objects.filter(user_id__in=list(users))
            .exclude(status=ResidencyStatus.REJECTED)
            .values_list("user_id", "household__path")
        ):
            paths[user_id].append(path)
    return {
        pk: {
            "id": pk,
            "name": u.name
            if access.can_see_personal_data(viewer, u, paths[pk])
            else mask_name(u.name),
        }
        for pk, u in users.items()
    }


def person(viewer, user) -> dict:
    return people(viewer, [user])[user.pk]
