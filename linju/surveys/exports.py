"""A survey's answers as XLSX (问卷台账): one row per questionnaire with when, whether it came
on paper, the household (and the respondent, unless the survey is anonymous), then one column
per question. openpyxl in write-only mode into a temporary file the response streams; typed
text goes through core.exports.text_cell (no formula runs)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from linju.core.exports import text_cell, workbook_file
from linju.core.masking import staff_label

from .models import QuestionKind, Response


def _cell(q, answer) -> str:
    if answer is None:
        return ""
    if q.kind == QuestionKind.TEXT:
        return answer.text
    if q.kind == QuestionKind.SCALE:
        return str(answer.choices[0]) if answer.choices else ""
    sep = " > " if q.kind == QuestionKind.RANKING else "; "
    return sep.join(q.options[c] for c in answer.choices if 0 <= c < len(q.options))


def answers_workbook(survey):
    from openpyxl import Workbook

    questions = list(survey.questions.order_by("position"))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Answers")[:31])
    sheet.append([text_cell(sheet, survey.title)])
    head = [_("Submitted"), _("Paper"), _("Household")]
    if not survey.anonymous:
        head.append(_("Respondent"))
    sheet.append(head + [text_cell(sheet, f"{q.position}. {q.text}") for q in questions])
    rows = (
        Response.objects.filter(survey=survey)
        .select_related("household__unit__parent", "respondent")
        .prefetch_related("answers")
        .order_by("id")
    )
    for r in rows.iterator(chunk_size=500):
        by_q = {a.question_id: a for a in r.answers.all()}
        h = r.household
        where = f"{h.unit.parent.name} {h.unit.name} {h.room}" if h else ""
        row = [
            timezone.localtime(r.created_at).replace(tzinfo=None),
            _("yes") if r.paper else "",
            text_cell(sheet, where),
        ]
        if not survey.anonymous:
            row.append(text_cell(sheet, staff_label(r.respondent) if r.respondent_id else ""))
        sheet.append(row + [text_cell(sheet, _cell(q, by_q.get(q.pk))) for q in questions])
    return workbook_file(book)
