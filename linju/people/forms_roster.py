"""The roster upload form (户籍台账导入): a community in the staff member's scope and a file."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linju.core import access
from linju.places.models import Place, PlaceKind


class RosterImportForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Place.objects.none(), label=_("Community"))
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("XLSX or CSV with the columns of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communities = access.filter_queryset(
            user, "people.import_roster", Place.objects.filter(kind=PlaceKind.COMMUNITY)
        ).order_by("path")
        self.fields["community"].queryset = communities
        if len(communities) == 1:
            self.fields["community"].initial = communities[0]

    def clean_file(self):
        """The size only: the import types the file by its content (core.uploads.ROSTER)."""
        file = self.cleaned_data["file"]
        if file.size > settings.ROSTER_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                gettext("The file is larger than %(max)s.")
                % {"max": filesizeformat(settings.ROSTER_UPLOAD_MAX_BYTES)}
            )
        return file
