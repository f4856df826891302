"""`{% latest_newsletter_issues as issues %}`: the newest published issues of the papers
reaching the request's user, for notices/newsletter/_latest.html (the notice board includes
it)."""

from django import template

from linju.notices import queries_newsletter

register = template.Library()


@register.simple_tag(takes_context=True)
def latest_newsletter_issues(context, limit=3):
    request = context.get("request")
    user = getattr(request, "user", None)
    return queries_newsletter.latest_published(user, limit=limit) if user else []
