"""Surveys and demand questionnaires (民意调查, 诉求调查表; seeds 002, 003).

A survey (调查) is bound to a scope; it is answered once per household or once per person,
anonymously or named, between its opening and closing days. Its questions are single or
multiple choice, ranking, a 1–5 scale or free text, required or optional, and may be shown
only when an earlier question was answered with a given option. A response is one
questionnaire (问卷), typed by the resident on a phone or entered by staff from paper.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linju.places.models import Household, Scoped

User = settings.AUTH_USER_MODEL


class Audience(models.TextChoices):
    HOUSEHOLD = "household", _("Once per household")
    PERSON = "person", _("Once per person")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    RANKING = "ranking", _("Ranking")
    SCALE = "scale", _("Scale 1–5")
    TEXT = "text", _("Free text")


CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING)


class Survey(Scoped):
    """民意调查 / 诉求调查表: a questionnaire for the households or people of a scope."""

    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    audience = models.CharField(_("answered"), max_length=16, choices=Audience.choices)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    status = models.CharField(
        _("status"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    response_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="survey_dates_ordered"
            )
        ]
        indexes = [models.Index(fields=["path", "status"], name="survey_path_status")]

    def __str__(self):
        return self.title

    def is_open(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status == SurveyStatus.OPEN and self.opens_on <= today <= self.closes_on


class Question(models.Model):
    """One question; `options` are the choices' texts, `show_if` an earlier question whose
    answer must include `show_if_option` (an option's index) for this one to be asked."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("kind"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    options = models.JSONField(_("options"), default=list, blank=True)
    show_if = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    show_if_option = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "position"], name="survey_question_position_once"
            )
        ]

    def __str__(self):
        return self.text

    @property
    def scope_path(self):
        return self.survey.path


class Response(models.Model):
    """One filled questionnaire. `once_key` ("household:7", "person:3", "paper:<n>") is unique
    per survey: the database keeps a household (or person) from answering twice."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    once_key = models.CharField(max_length=40)
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    respondent = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paper = models.BooleanField(_("paper questionnaire"), default=False)
    entered_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "once_key"], name="survey_response_once")
        ]

    def __str__(self):
        return f"{self.survey_id}/{self.pk}"

    @property
    def scope_path(self):
        return self.survey.path


class Answer(models.Model):
    """The answer to one shown question: option indexes (in rank order for a ranking), a
    scale value in `options` as [n], or `text`."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(max_length=2000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_once")
        ]

    def __str__(self):
        return f"{self.response_id}/{self.question_id}"
