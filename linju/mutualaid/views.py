"""Pages of the wish wall (心愿墙, seed 002), mobile first: the wall of my community, posting a
need or an offer, one wish with what I may do on it (claim, release, mark fulfilled with
thanks, withdraw, flag), and the desk where handlers moderate flags and help with the wishes
left unclaimed. Views call services and queries only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from linju.core.forms import call_service
from linju.core.views import paginate
from linju.places.models import Place

from . import queries, queries_sharing, rules, services
from .forms import ActionForm, PostForm, UnclaimedForm
from .models import PostKind, PostStatus, Visibility


def _dress(viewer, posts):
    posts = list(posts)
    labels = queries.names(viewer, posts)
    for p in posts:
        p.poster_label = labels.get(p.poster_id, "")
        p.claimant_label = labels.get(p.claimant_id, "") if p.claimant_id else ""
    return posts


@login_required
def home(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in PostKind.values else ""
    page = paginate(request, queries.wall(request.user, kind=kind))
    page.object_list = _dress(request.user, page.object_list)
    context = {
        "page_obj": page,
        "kind": kind,
        "kinds": PostKind.choices,
        "can_post": bool(rules.community_paths(request.user)),
        "desk": rules.may_use_desk(request.user),
    }
    return render(request, "mutualaid/home.html", context)


@login_required
def new_post(request):
    communities = list(Place.objects.filter(path__in=rules.community_paths(request.user)))
    if not communities:
        raise PermissionDenied(_("Your home must be verified before you post on the wish wall."))
    form = PostForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        post = call_service(
            form,
            services.create_post,
            user=request.user,
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            place_id=data.get("place") or None,
        )
        if post is not None:
            messages.success(request, _("Your wish is on the wall."))
            return redirect("mutualaid:post", pk=post.pk)
    return render(request, "mutualaid/new.html", {"form": form})


ACTIONS = {
    "claim": (services.claim_post, (), _("You claimed this wish.")),
    "release": (services.release_claim, ("reason",), _("The claim is released.")),
    "fulfil": (services.fulfil_post, ("thanks",), _("Marked fulfilled. Thank you!")),
    "withdraw": (services.withdraw_post, (), _("Your wish is withdrawn.")),
    "flag": (services.flag_post, ("reason",), _("Thank you: staff will look at it.")),
}


@login_required
def post_detail(request, pk):
    user = request.user
    post = queries.post_for(user, pk)
    if post is None:
        raise PermissionDenied(_("You may not see this wish."))
    form = ActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = data["action"]
        if action in ACTIONS:
            fn, fields, done = ACTIONS[action]
            extra = {f: data[f] for f in fields}
        else:
            fn, done = services.moderate_post, _("Decision recorded.")
            extra = {"action": action, "note": data["note"]}
        result = call_service(form, fn, user=user, post_id=post.pk, **extra)
        if result is not None:
            messages.success(request, done)
            if queries.post_for(user, pk) is None:
                return redirect("mutualaid:home")
            return redirect("mutualaid:post", pk=pk)
    poster, claimant = queries.party_names(user, post)
    mine = post.poster_id == user.pk
    moderator = rules.can_moderate(user, post)
    context = {
        "post": post,
        "form": form,
        "poster": poster,
        "claimant": claimant,
        "mine": mine,
        "claimed_by_me": post.claimant_id == user.pk,
        "may_claim": not mine and post.status == PostStatus.OPEN,
        "may_release": rules.is_party(user, post) and post.status == PostStatus.CLAIMED,
        "may_fulfil": mine and post.status == PostStatus.CLAIMED,
        "may_withdraw": mine and post.status == PostStatus.OPEN,
        "may_flag": not mine,
        "moderator": moderator,
        "shown": post.visibility == Visibility.SHOWN,
    }
    return render(request, "mutualaid/post.html", context)


@login_required
def desk(request):
    if not rules.may_use_desk(request.user):
        raise PermissionDenied(_("You may not do this here."))
    form = UnclaimedForm(request.GET or None)
    days = form.cleaned_data.get("days") if form.is_valid() else None
    flagged = paginate(request, queries.flagged(request.user))
    flagged.object_list = _dress(request.user, flagged.object_list)
    unclaimed = _dress(request.user, queries.unclaimed(request.user, days=days)[:50])
    items = list(queries_sharing.flagged_items(request.user)[:50])
    context = {
        "page_obj": flagged,
        "form": form,
        "unclaimed": unclaimed,
        "items": items,
        "days": rules.unclaimed_days() if days is None else days,
    }
    return render(request, "mutualaid/desk.html", context)


urlpatterns = [
    path("", home, name="home"),
    path("new/", new_post, name="new"),
    path("<int:pk>/", post_detail, name="post"),
    path("desk/", desk, name="desk"),
]
