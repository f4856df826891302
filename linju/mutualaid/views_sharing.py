"""Pages of sharing (闲置共享) and the book corner (共享图书角, seed 002), mobile first: the shelf
of my community, sharing an item, one item with what I may do on it (request, call off, hand
over, return, withdraw, flag; moderate for the handlers). Views call services_sharing and
queries_sharing only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from linju.core import access
from linju.core.forms import call_service
from linju.core.views import paginate
from linju.places.models import Place

from . import queries_sharing as queries
from . import rules
from . import services_sharing as services
from .forms import ItemActionForm, ItemForm
from .models import LOAN_KINDS, ItemKind, ItemStatus, LoanStatus, Visibility


def _dress(viewer, items):
    items = list(items)
    labels = queries.names(viewer, items)
    for it in items:
        it.owner_label = labels.get(it.owner_id, "")
        it.loan = queries.active_loan(it)
    return items


@login_required
def shelf(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in ItemKind.values else ""
    page = paginate(request, queries.shelf(request.user, kind=kind))
    page.object_list = _dress(request.user, page.object_list)
    context = {
        "page_obj": page,
        "kind": kind,
        "kinds": ItemKind.choices,
        "can_share": bool(rules.community_paths(request.user)),
    }
    return render(request, "mutualaid/items.html", context)


@login_required
def new_item(request):
    communities = list(Place.objects.filter(path__in=rules.community_paths(request.user)))
    if not communities:
        raise PermissionDenied(_("Your home must be verified before you share an item."))
    form = ItemForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = call_service(
            form,
            services.create_item,
            user=request.user,
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            place_id=data.get("place") or None,
        )
        if item is not None:
            messages.success(request, _("Your item is on the shelf."))
            return redirect("mutualaid:item", pk=item.pk)
    return render(request, "mutualaid/item_new.html", {"form": form})


ACTIONS = {
    "request": services.request_item,
    "cancel": services.cancel_request,
    "hand_over": services.hand_over,
    "return": services.return_item,
    "withdraw": services.withdraw_item,
}


@login_required
def item_detail(request, pk):
    user = request.user
    item = queries.item_for(user, pk)
    if item is None:
        raise PermissionDenied(_("You may not see this item."))
    form = ItemActionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action = data["action"]
        if action in ACTIONS:
            result = call_service(form, ACTIONS[action], user=user, item_id=pk)
        elif action == "flag":
            result = call_service(
                form, services.flag_item, user=user, item_id=pk, reason=data["reason"]
            )
        else:
            result = call_service(
                form,
                services.moderate_item,
                user=user,
                item_id=pk,
                action=action,
                note=data["note"],
            )
        if result is not None:
            messages.success(request, _("Done."))
            if queries.item_for(user, pk) is None:
                return redirect("mutualaid:items")
            return redirect("mutualaid:item", pk=pk)
    labels = queries.names(user, [item])
    loan = queries.active_loan(item)
    mine = item.owner_id == user.pk
    borrower = loan is not None and loan.borrower_id == user.pk
    free = item.status == ItemStatus.AVAILABLE and loan is None
    requested = loan is not None and loan.status == LoanStatus.REQUESTED
    context = {
        "item": item,
        "form": form,
        "loan": loan,
        "owner": labels.get(item.owner_id, ""),
        "borrower_name": labels.get(loan.borrower_id, "") if loan else "",
        "mine": mine,
        "lent": item.kind in LOAN_KINDS,
        "may_request": not mine and free,
        "may_cancel": requested and (mine or borrower),
        "may_hand_over": requested and mine,
        "may_return": loan is not None and loan.status == LoanStatus.HANDED and (mine or borrower),
        "may_withdraw": mine and free,
        "may_flag": not mine,
        "moderator": access.can(user, "mutualaid.moderate", item),
        "shown": item.visibility == Visibility.SHOWN,
    }
    return render(request, "mutualaid/item.html", context)


urlpatterns = [
    path("items/", shelf, name="items"),
    path("items/new/", new_item, name="item_new"),
    path("items/<int:pk>/", item_detail, name="item"),
]
