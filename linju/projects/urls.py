from . import views_funds, views_funds_desk, views_lists, views_projects

app_name = "projects"

urlpatterns = [
    *views_lists.urlpatterns,
    *views_projects.urlpatterns,
    *views_funds.urlpatterns,
    *views_funds_desk.urlpatterns,
]
