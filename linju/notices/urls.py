"""/notices/: the notice board and the newsletter (see views*.py)."""

from .views import urlpatterns as notice_patterns
from .views_newsletter import urlpatterns as newsletter_patterns

app_name = "notices"
urlpatterns = [*notice_patterns, *newsletter_patterns]
