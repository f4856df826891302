"""Forms of the snap-and-report (随手拍) pages. They shape input for the services and carry the
services' errors back to the field that was wrong; the rules (which place, which answers,
which handler) are the services' to decide."""

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from linju.core.errors import DomainError, Invalid
from linju.core.forms import DayInput, PhotosField
from linju.people.forms_households import IdChoiceField

from .models import HANDLER_ROLES, AttributeType, Level, Status

ATTR_PREFIX = "attr__"


def _blank(label):
    return [("", label)]


def attr_field_name(category_code: str, attr_code: str) -> str:
    return f"{ATTR_PREFIX}{category_code}__{attr_code}"


def _attribute_field(attribute):
    """A form field for one Open311 attribute, by its datatype. Never required here: the
    service checks the answers of the category actually chosen."""
    label = attribute.description
    hint = attribute.datatype_description
    common = {"label": label, "required": False, "help_text": hint}
    kind = attribute.datatype
    choices = [(str(v.get("key")), v.get("name") or v.get("key")) for v in attribute.values or []]
    if kind == AttributeType.SINGLE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == AttributeType.MULTI:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind == AttributeType.NUMBER:
        return forms.CharField(
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}), **common
        )
    if kind == AttributeType.DATETIME:
        return LocalDateTimeField(**common)
    if kind == AttributeType.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, **common)
    return forms.CharField(max_length=200, **common)


class LocalDateTimeField(forms.CharField):
    """A phone's date-and-time picker gives local wall time without an offset; the answer is
    stored with the offset of the configured time zone (Open311 wants every date with one)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        parsed = parse_datetime(value)
        if parsed is None:
            return value  # the service names the field and says what it expects
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
        return parsed.isoformat()


class ReportForm(forms.Form):
    """The resident's report, in three sections: photos and category; where and the
    category's questions; description and submit."""

    photos = PhotosField(
        label=_("Photos"),
        camera=True,
        help_text=_("Up to 9 photos: take them now or choose them from the album."),
    )
    category = forms.ChoiceField(
        label=_("What kind of problem is it?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a category.")},
    )
    place = IdChoiceField(
        label=_("Building or unit"),
        error_messages={"required": _("Choose where the problem is.")},
    )
    map_x = forms.FloatField(required=False, widget=forms.HiddenInput)
    map_y = forms.FloatField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Describe the problem.")},
        help_text=_("What is wrong, since when, and anything that helps the handler find it."),
    )
    title = forms.CharField(
        label=_("Title (optional)"),
        max_length=80,
        required=False,
        help_text=_("A few words shown in lists; we use the description when it is empty."),
    )
    hide_name = forms.BooleanField(
        label=_("Hide my name from the public"),
        required=False,
        help_text=_("Handlers still see who reported it, so they can contact you."),
    )

    def __init__(self, *args, categories=(), places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        self.fields["category"].choices = [(c.code, c.name) for c in self.categories]
        self.fields["place"].choices = _blank(_("Choose a place")) + list(places)
        # The extra questions of every category; only the chosen category's are sent on.
        self.attribute_groups = []
        for category in self.categories:
            names = []
            for attribute in category.attributes.all():
                name = attr_field_name(category.code, attribute.code)
                field = _attribute_field(attribute)
                field.attribute = attribute
                if attribute.required and attribute.datatype != AttributeType.MULTI:
                    # The page's script makes it required while its category is chosen.
                    field.widget.attrs["data-required"] = "1"
                self.fields[name] = field
                names.append(name)
            if names:
                self.attribute_groups.append((category, names))

    def attribute_fieldsets(self):
        """(category, bound fields) for the template: one fieldset per category."""
        return [(c, [self[n] for n in names]) for c, names in self.attribute_groups]

    def answers(self) -> dict:
        """The answers to the chosen category's questions, by question code."""
        code = self.cleaned_data.get("category", "")
        prefix = f"{ATTR_PREFIX}{code}__"
        return {
            name[len(prefix) :]: value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and value not in (None, "", [])
        }

    def apply_error(self, exc: DomainError) -> None:
        """The service's field paths onto this form's fields: `attributes.<code>` onto the
        chosen category's question, `photos.<n>` onto the photos with the photo's number."""
        if not isinstance(exc, Invalid):
            self.add_error(None, str(exc.message))
            return
        code = self.cleaned_data.get("category", "") if hasattr(self, "cleaned_data") else ""
        for path, messages in exc.errors.items():
            field, message_prefix = _field_for(path, code)
            if field not in self.fields:
                field = None
            for message in messages:
                self.add_error(field, f"{message_prefix}{message}")


def _field_for(path: str, category_code: str) -> tuple[str, str]:
    head, _sep, rest = path.partition(".")
    if head == "attributes" and rest:
        return attr_field_name(category_code, rest), ""
    if head == "photos":
        if rest.isdigit():
            return "photos", str(_("Photo %(n)d: ") % {"n": int(rest) + 1})
        return "photos", ""
    if head in ("map_x", "map_y"):
        return "map_x", ""
    return head, ""


# --- The reporter's answers -------------------------------------------------------------------

RATING_CHOICES = [
    (5, _("5 · very satisfied")),
    (4, _("4 · satisfied")),
    (3, _("3 · so-so")),
    (2, _("2 · dissatisfied")),
    (1, _("1 · very dissatisfied")),
]


class ConfirmForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling? (optional)"),
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReopenForm(forms.Form):
    comment = forms.CharField(
        label=_("What is still wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say what is still wrong.")},
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the handling?"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Rate from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# --- Staff ------------------------------------------------------------------------------------

STATUS_FILTERS = [
    ("open", _("Open (to handle)")),
    ("waiting", _("Waiting for the reporter")),
    ("final", _("Finished")),
    ("all", _("All")),
    *[(s.value, s.label) for s in Status],
]


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Words of the title or description, or a report number like #123."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_FILTERS)
    category = forms.ChoiceField(label=_("Category"), required=False)
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=_blank(_("All levels")) + list(Level.choices),
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Dispatched to me"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _blank(_("All categories")) + [
            (c.code, c.name) for c in categories
        ]


class IdsField(forms.TypedMultipleChoiceField):
    """Report ids; the service says which of them may not be dispatched, and why."""

    def valid_value(self, value):
        return True


class BulkDispatchForm(forms.Form):
    reports = IdsField(
        label=_("Reports"),
        coerce=int,
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Choose at least one report.")},
    )
    handler = IdChoiceField(
        label=_("Dispatch to"), error_messages={"required": _("Choose a handler.")}
    )
    note = forms.CharField(
        label=_("Note for the handler (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, report_ids=(), candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reports"].choices = [(i, i) for i in report_ids]
        self.fields["handler"].choices = _blank(_("Choose a handler")) + handler_choices(candidates)


ROLE_LABELS = {r.value: r.label for r in HANDLER_ROLES}


def handler_choices(candidates):
    return [
        (user.pk, f"{ROLE_LABELS.get(role, role)} · {user.name or user.mobile}")
        for user, role in candidates
    ]


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it not accepted?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The reporter reads this as the answer."),
        error_messages={"required": _("Say why, so the reporter gets an answer.")},
    )


class DispatchForm(forms.Form):
    handler = IdChoiceField(
        label=_("Dispatch to"), error_messages={"required": _("Choose a handler.")}
    )
    note = forms.CharField(
        label=_("Note for the handler (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = _blank(_("Choose a handler")) + handler_choices(candidates)


class ResolveForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the reporter: what was done"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Tell the reporter what was done.")},
    )
    photos = PhotosField(label=_("Photos of the result (optional)"))


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the next level needed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the next level is needed.")},
    )


class ExtendForm(forms.Form):
    """延期: more time for a case that needs it (the reporter reads the reason)."""

    hours = forms.IntegerField(
        label=_("More hours"),
        min_value=1,
        max_value=24 * 30,
        initial=72,
        error_messages={"required": _("How many more hours?")},
    )
    reason = forms.CharField(
        label=_("Why is more time needed?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why more time is needed.")},
    )


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Duplicate of report number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "#123"}),
        error_messages={"required": _("Give the number of the report it repeats.")},
    )
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)

    def clean_into(self):
        value = self.cleaned_data["into"].strip().lstrip("#")
        if not value.isdigit():
            raise forms.ValidationError(_("Give a report number, like #123."))
        return int(value)


class JointForm(forms.Form):
    note = forms.CharField(
        label=_("What should the three parties settle? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the other parties"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write a message.")},
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Progress note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Write a note.")},
    )
    public = forms.BooleanField(
        label=_("Show this note to the reporter"),
        required=False,
        help_text=_("Otherwise only staff and the handler see it."),
    )


# --- Figures ----------------------------------------------------------------------------------


class FiguresForm(forms.Form):
    by = forms.ChoiceField(
        label=_("One row per"),
        required=False,
        choices=[("category", _("Category")), ("month", _("Month")), ("place", _("Place"))],
    )
    place = IdChoiceField(label=_("Place"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DayInput())
    until = forms.DateField(label=_("To"), required=False, widget=DayInput())

    def __init__(self, *args, places=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = _blank(_("All of my area")) + [
            (p.pk, f"{p.get_kind_display()} · {p.name}") for p in places
        ]
        self.fields["category"].choices = _blank(_("All categories")) + [
            (c.code, c.name) for c in categories
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return data


# --- Categories -------------------------------------------------------------------------------


class CategoryForm(forms.Form):
    """The fields of services.CATEGORY_FIELDS; the model's validation runs in the service."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Letters, digits and hyphens; also the Open311 service code."),
    )
    name = forms.CharField(label=_("Category name"), max_length=60)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    group = forms.CharField(label=_("Group"), max_length=60, required=False)
    keywords = forms.CharField(
        label=_("Keywords"),
        max_length=200,
        required=False,
        help_text=_("Words residents might use for it, separated by spaces."),
    )
    level = forms.TypedChoiceField(label=_("Handling level"), coerce=int, choices=Level.choices)
    handler_role = forms.ChoiceField(
        label=_("Handling role"), choices=[(r.value, r.label) for r in HANDLER_ROLES]
    )
    accept_hours = forms.IntegerField(label=_("Hours to accept"), min_value=1, max_value=32767)
    resolve_hours = forms.IntegerField(label=_("Hours to resolve"), min_value=1, max_value=32767)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    is_public = forms.BooleanField(
        label=_("Shown to the public"),
        required=False,
        help_text=_("Untick for neighbour disputes and other private matters."),
    )
    active = forms.BooleanField(label=_("Open for new reports"), required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)


class AttributeForm(forms.Form):
    """An extra question (services.ATTRIBUTE_FIELDS). The choices of a list question are typed
    one per line as `key=name`."""

    code = forms.SlugField(label=_("Code"), max_length=40)
    description = forms.CharField(label=_("Question"), max_length=200)
    datatype = forms.ChoiceField(label=_("Type of answer"), choices=AttributeType.choices)
    datatype_description = forms.CharField(label=_("Hint"), max_length=200, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    values = forms.CharField(
        label=_("Choices (list questions)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line as key=name, for example yes=有人被困."),
    )
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)

    def clean_values(self):
        lines = [line.strip() for line in self.cleaned_data["values"].splitlines()]
        values = []
        for number, line in enumerate((line for line in lines if line), start=1):
            key, sep, name = line.partition("=")
            if not sep or not key.strip() or not name.strip():
                raise forms.ValidationError(_("Line %(n)d: write it as key=name.") % {"n": number})
            values.append({"key": key.strip(), "name": name.strip()})
        return values


def values_as_lines(values) -> str:
    return "\n".join(f"{v.get('key', '')}={v.get('name', '')}" for v in values or [])
