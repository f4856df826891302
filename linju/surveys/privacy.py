"""What surveys hold about a person, for the PIPL download and account deletion. A named
response links its answers to the person; on deletion the link is cut and their free-text
answers are emptied (words can name someone), while the choices keep counting in the results:
the survey's figures do not move when a person leaves. The household's "answered once" stays."""

from django.db.models import Prefetch

from .models import Answer, Response


def export(user) -> dict:
    responses = (
        Response.objects.filter(respondent=user)
        .select_related("survey")
        .prefetch_related(Prefetch("answers", Answer.objects.select_related("question")))
        .order_by("created_at", "id")
    )
    return {
        "responses": [
            {
                "survey": r.survey.title,
                "at": r.created_at.isoformat(),
                "paper": r.paper,
                "answers": [
                    {
                        "question": a.question.text,
                        "choices": [
                            a.question.options[i]
                            if isinstance(i, int) and 0 <= i < len(a.question.options)
                            else i
                            for i in a.choices
                        ],
                        "text": a.text,
                    }
                    for a in r.answers.all()
                ],
            }
            for r in responses
        ]
    }


def erase(user) -> None:
    Answer.objects.filter(response__respondent=user).exclude(text="").update(text="")
    Response.objects.filter(respondent=user).update(respondent=None)
