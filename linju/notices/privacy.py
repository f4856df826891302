"""Personal data of the notice board (core.privacy): what a person read and the objections
they raised. Erasing an account removes its receipts and blanks the text of its objections (the
publisher's answer stays, the notice's record of objections keeps its count)."""

from .models import Objection, Receipt


def export(user) -> dict:
    return {
        "read": [
            {"notice": r.notice.title, "read_at": r.read_at.isoformat()}
            for r in Receipt.objects.filter(user=user).select_related("notice")
        ],
        "objections": [
            {
                "notice": o.notice.title,
                "text": o.text,
                "created_at": o.created_at.isoformat(),
                "answer": o.answer,
            }
            for o in Objection.objects.filter(author=user).select_related("notice")
        ],
    }


def erase(user) -> None:
    Receipt.objects.filter(user=user).delete()
    Objection.objects.filter(author=user).update(text="")
