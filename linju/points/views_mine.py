"""A resident's points pages (seeds 000, 002, 004), mobile first: my points and service hours,
the history of both, the printable certificate of volunteer service (志愿服务证明), the love
supermarket (爱心超市) of the community I live in, redeeming an item (one redemption however
often the form is sent), the pickup code in big digits and as a QR code for the desk, and
cancelling while it waits. Views call services_store and queries only."""

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from linju.core.errors import DomainError, Forbidden
from linju.core.forms import call_service
from linju.core.views import paginate, private_download

from . import queries
from . import services_store as store
from .forms_mine import RedeemForm
from .models import RedemptionStatus

LATEST = 5


def _qr_svg(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    # The SVG is generated here from the pickup code (digits only), so it is safe to inline.
    return mark_safe(image.to_string(encoding="unicode"))


def hours_of(minutes) -> str:
    """Minutes as hours with at most one decimal: 90 → "1.5", 120 → "2"."""
    value = round((minutes or 0) / 60, 1)
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


# Where the `ref` of an entry points, for the ones a resident may open.
REF_PAGES = {
    "redemption": "points:redemption",
    "report": "reports:detail",
    "round": "ratings:round",
}


def _ref_link(ref: str) -> str:
    kind, _sep, pk = (ref or "").partition(":")
    if kind not in REF_PAGES or not pk.isdigit():
        return ""
    try:
        return reverse(REF_PAGES[kind], args=[int(pk)])
    except NoReverseMatch:
        return ""


def _dress_points(entries):
    for entry in entries:
        entry.ref_url = _ref_link(entry.ref)
    return entries


def _dress_hours(entries):
    for entry in entries:
        entry.hours = hours_of(entry.minutes)
        entry.total_hours = hours_of(entry.total)
        entry.ref_url = _ref_link(entry.ref)
    return entries


@login_required
def home(request):
    user = request.user
    account = queries.account_of(user)
    context = {
        "account": account,
        "hours": hours_of(account.minutes),
        "points": _dress_points(list(queries.my_points(user)[:LATEST])),
        "services": _dress_hours(list(queries.my_hours(user).select_related("place")[:LATEST])),
        "waiting": list(
            queries.my_redemptions(user).filter(status=RedemptionStatus.RESERVED)[:LATEST]
        ),
        "can_shop": queries.shop_items(user).exists(),
    }
    return render(request, "points/home.html", context)


@login_required
def history(request):
    """Points or service hours (`?show=hours`), newest first, a page at a time."""
    user = request.user
    show = "hours" if request.GET.get("show") == "hours" else "points"
    account = queries.account_of(user)
    if show == "hours":
        page = paginate(request, queries.my_hours(user).select_related("place"))
        _dress_hours(page.object_list)
    else:
        page = paginate(request, queries.my_points(user))
        _dress_points(page.object_list)
    context = {
        "account": account,
        "hours": hours_of(account.minutes),
        "show": show,
        "page_obj": page,
    }
    return render(request, "points/history.html", context)


@login_required
def certificate(request):
    """志愿服务证明: the person's service record on one printable A4 page."""
    user = request.user
    record = queries.service_record(user)
    for row in record["by_place"]:
        row["hours"] = hours_of(row["minutes"])
    context = {
        "person": user,
        "record": record,
        "hours": hours_of(record["minutes"]),
        "issued": timezone.localdate(),
    }
    return render(request, "points/certificate.html", context)


@login_required
def shop(request):
    user = request.user
    page = paginate(request, queries.shop_items(user))
    context = {"account": queries.account_of(user), "page_obj": page, "items": page.object_list}
    return render(request, "points/shop.html", context)


def _item_or_404(user, pk):
    item = queries.item_for_shopper(user, pk)
    if item is None:
        raise Http404
    return item


@login_required
def item(request, pk):
    user = request.user
    found = _item_or_404(user, pk)
    account = queries.account_of(user)
    afford = account.points // found.cost if found.cost else 0
    top = min(found.stock, afford, store.MAX_QUANTITY) or 1
    form = RedeemForm(request.POST or None, max_quantity=top)
    if request.method == "POST" and form.is_valid():
        done = call_service(
            form,
            store.redeem,
            user=user,
            item=found,
            quantity=form.cleaned_data["quantity"],
            key=form.cleaned_data["key"],
        )
        if done is not None:
            messages.success(request, _("Redeemed. Show the pickup code at the love supermarket."))
            return redirect("points:redemption", done.pk)
        account = queries.account_of(user)
        found = _item_or_404(user, pk)
    context = {"item": found, "account": account, "form": form, "enough": afford >= 1}
    return render(request, "points/item.html", context)


@login_required
def item_photo(request, pk):
    return private_download(_item_or_404(request.user, pk).photo)


def _redemption_or_404(user, pk):
    found = queries.my_redemptions(user).select_related("item__place").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@login_required
def redemption(request, pk):
    user = request.user
    found = _redemption_or_404(user, pk)
    if request.method == "POST":
        if request.POST.get("action") != "cancel":
            raise Http404
        try:
            store.cancel(user=user, redemption=found)
        except Forbidden:
            raise PermissionDenied from None
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Cancelled: your points are refunded."))
        return redirect("points:redemption", found.pk)
    waiting = found.status == RedemptionStatus.RESERVED
    context = {
        "redemption": found,
        "item": found.item,
        "waiting": waiting,
        "qr": _qr_svg(found.code) if waiting else "",
    }
    return render(request, "points/redemption.html", context)


@login_required
def redemptions(request):
    page = paginate(request, queries.my_redemptions(request.user))
    return render(request, "points/redemptions.html", {"page_obj": page})


urlpatterns = [
    path("", home, name="home"),
    path("history/", history, name="history"),
    path("certificate/", certificate, name="certificate"),
    path("shop/", shop, name="shop"),
    path("shop/<int:pk>/", item, name="item"),
    path("shop/<int:pk>/photo/", item_photo, name="item_photo"),
    path("redemptions/", redemptions, name="redemptions"),
    path("redemptions/<int:pk>/", redemption, name="redemption"),
]
