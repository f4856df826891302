"""Report pages: residents' /reports/…, staff /reports/desk/…"""

app_name = "reports"
urlpatterns = []
