"""Forms of the round pages: the panellist's sheet for one target (one screen on a phone, an
input per rubric item), a correction in review, and a reason to reopen. Marks are checked by
`scoring.clean_mark` through the service; its errors ("marks.hygiene.points") land next to the
item they name."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linju.core.forms import apply_domain_error

from . import scoring
from .models import ItemKind

PARTS = ("points", "exempt", "vetoed", "note", "photo")


def field_name(code: str, part: str) -> str:
    return f"{code}__{part}"


class SheetForm(forms.Form):
    """Every item of the round's rubric: points (whole or half), exempt where the item has
    exemptions, the veto on a veto item, a note and an evidence photo where it is required."""

    note = forms.CharField(
        label=_("Note on this target"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, items=(), entries=None, **kwargs):
        entries = entries or {}
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.entries = entries
        self.rows = []
        for item in self.items:
            old = entries.get(item.pk)
            names = {}
            if item.kind != ItemKind.VETO:
                name = field_name(item.code, "points")
                self.fields[name] = forms.CharField(
                    label=_("Points"),
                    required=False,
                    initial=_number(old.points if old else scoring.default_points(item)),
                    widget=forms.NumberInput(
                        attrs={
                            "step": "0.5",
                            "min": "0",
                            "max": _number(item.max_points),
                            "inputmode": "decimal",
                        }
                    ),
                )
                names["points"] = name
            if item.exemptions and item.kind not in (ItemKind.BONUS, ItemKind.VETO):
                name = field_name(item.code, "exempt")
                self.fields[name] = forms.BooleanField(
                    label=_("Exempt: what was seen is allowed"),
                    required=False,
                    initial=bool(old and old.exempt),
                )
                names["exempt"] = name
            if item.kind == ItemKind.VETO:
                name = field_name(item.code, "vetoed")
                self.fields[name] = forms.BooleanField(
                    label=_("The veto applies (一票否决)"),
                    required=False,
                    initial=bool(old and old.vetoed),
                )
                names["vetoed"] = name
            name = field_name(item.code, "note")
            self.fields[name] = forms.CharField(
                label=pgettext_lazy("mark", "Note"),
                required=False,
                max_length=500,
                initial=old.note if old else "",
            )
            names["note"] = name
            if item.evidence_required:
                name = field_name(item.code, "photo")
                # The service types and re-encodes the photo (core.uploads.PHOTO); Django's
                # ImageField would try any decoder Pillow has on it first.
                self.fields[name] = forms.FileField(
                    label=_("Evidence photo"),
                    required=False,
                    widget=forms.ClearableFileInput(
                        attrs={"accept": "image/*", "capture": "environment"}
                    ),
                )
                names["photo"] = name
            self.rows.append(
                {"item": item, "names": names, "has_photo": bool(old and old.photo), "entry": old}
            )

    def bound_rows(self):
        """(item, {part: bound field}, errors) for the template."""
        out = []
        for row in self.rows:
            fields = {part: self[name] for part, name in row["names"].items()}
            errors = [e for f in fields.values() for e in f.errors]
            out.append({**row, "fields": fields, "errors": errors})
        return out

    def marks(self) -> dict:
        """The service's `marks`: a photo kept unless a new one is sent."""
        cd = self.cleaned_data
        marks = {}
        for row in self.rows:
            item, names = row["item"], row["names"]
            photo = cd.get(names["photo"]) if "photo" in names else None
            marks[item.code] = {
                "points": cd.get(names["points"], "0") if "points" in names else "0",
                "exempt": bool(cd.get(names.get("exempt", ""), False)),
                "vetoed": bool(cd.get(names.get("vetoed", ""), False)),
                "note": cd.get(names["note"], ""),
                "photo": photo or ("keep" if row["has_photo"] else None),
            }
        return marks

    def apply_error(self, exc) -> None:
        """ "marks.hygiene.points" → the hygiene item's points input; "marks.hygiene" → the
        item's first input; anything else → the form."""
        by_code = {row["item"].code: row["names"] for row in self.rows}
        errors = getattr(exc, "errors", None)
        if not errors:
            self.add_error(None, str(exc.message))
            return
        for path, messages in errors.items():
            parts = path.split(".")
            target = None
            if parts[0] == "marks" and len(parts) > 1 and parts[1] in by_code:
                names = by_code[parts[1]]
                part = parts[2] if len(parts) > 2 else ""
                target = names.get(part) or next(iter(names.values()), None)
            elif parts[0] == "note":
                target = "note"
            for message in messages:
                self.add_error(target, message)


class CorrectionForm(forms.Form):
    """A mark changed in review: the reason is required and kept."""

    entry = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.CharField(
        label=_("Points"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "inputmode": "decimal"}),
    )
    exempt = forms.BooleanField(label=_("Exempt"), required=False)
    vetoed = forms.BooleanField(label=_("Veto applies"), required=False)
    reason = forms.CharField(label=_("Why it changes"), required=False, max_length=500)

    def apply_error(self, exc) -> None:
        names = {"mark": "points"}
        errors = getattr(exc, "errors", None)
        if errors:
            for path, messages in errors.items():
                head = path.split(".")
                field = (
                    head[-1] if head[0] == "mark" and len(head) > 1 else names.get(head[0], head[0])
                )
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
            return
        apply_domain_error(self, exc)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why the round reopens"), required=False, max_length=500)

    def apply_error(self, exc) -> None:
        apply_domain_error(self, exc)


def _number(value) -> str:
    return f"{value.normalize():f}" if value is not None else ""
