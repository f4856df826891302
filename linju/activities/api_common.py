"""What the activities routers share: the shapes of places, activities and people, and who sees a
person's name in full (PIPL)."""

from linju.people.queries import person_labels


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
    """Person id → {id, name}, the name as `viewer` may see it (people.queries.person_labels)."""
    return {pk: {"id": pk, "name": name} for pk, (name, _m) in person_labels(viewer, users).items()}


def person(viewer, user) -> dict:
    return people(viewer, [user])[user.pk]
