from django.urls import path

from . import views_roster as v

urlpatterns = [
    path("people/roster/import/", v.roster_import, name="roster_import"),
    path("people/roster/template.csv", v.roster_template_csv, name="roster_template_csv"),
    path("people/roster/template.xlsx", v.roster_template_xlsx, name="roster_template_xlsx"),
]
