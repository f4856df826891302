"""Category pages for subdistrict administrators: report categories are data (seeds 002/003:
who handles what, how fast, in public or not), with their extra questions (Open311
attributes). The services validate and audit every change."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linju.core.errors import DomainError, Forbidden

from . import queries, services
from .forms import AttributeForm, CategoryForm, values_as_lines
from .models import Category, CategoryAttribute
from .views import call


def _require_manager(user):
    if not queries.may_manage_categories(user):
        raise PermissionDenied


@login_required
def categories(request):
    _require_manager(request.user)
    rows = Category.objects.annotate(questions=Count("attributes")).order_by("sort_order", "code")
    return render(request, "reports/categories.html", {"categories": rows})


@login_required
def category_edit(request, category_id=None):
    """Create a category (no id) or change one."""
    _require_manager(request.user)
    category = get_object_or_404(Category, pk=category_id) if category_id else None
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            saved = call(
                form,
                services.save_category,
                user=request.user,
                category_id=category.pk if category else None,
                **{name: form.cleaned_data[name] for name in services.CATEGORY_FIELDS},
            )
            if saved:
                messages.success(request, _("Saved: %(name)s") % {"name": saved.name})
                return redirect("reports:category_edit", saved.pk)
    elif category:
        form = CategoryForm(
            initial={name: getattr(category, name) for name in services.CATEGORY_FIELDS}
        )
    else:
        form = CategoryForm(
            initial={"active": True, "is_public": True, "accept_hours": 24, "resolve_hours": 72}
        )
    attributes = list(category.attributes.all()) if category else []
    return render(
        request,
        "reports/category_edit.html",
        {"form": form, "category": category, "attributes": attributes},
    )


@login_required
def attribute_edit(request, category_id, attribute_id=None):
    """Add an extra question to a category, or change one."""
    _require_manager(request.user)
    category = get_object_or_404(Category, pk=category_id)
    attribute = (
        get_object_or_404(CategoryAttribute, pk=attribute_id, category=category)
        if attribute_id
        else None
    )
    if request.method == "POST":
        form = AttributeForm(request.POST)
        if form.is_valid():
            saved = call(
                form,
                services.save_attribute,
                user=request.user,
                category=category,
                attribute_id=attribute.pk if attribute else None,
                **{name: form.cleaned_data[name] for name in services.ATTRIBUTE_FIELDS},
            )
            if saved:
                messages.success(request, _("Saved: %(name)s") % {"name": saved.description})
                return redirect("reports:category_edit", category.pk)
    elif attribute:
        initial = {name: getattr(attribute, name) for name in services.ATTRIBUTE_FIELDS}
        initial["values"] = values_as_lines(attribute.values)
        form = AttributeForm(initial=initial)
    else:
        form = AttributeForm(initial={"order": category.attributes.count()})
    return render(
        request,
        "reports/attribute_edit.html",
        {"form": form, "category": category, "attribute": attribute},
    )


@login_required
@require_POST
def attribute_delete(request, category_id, attribute_id):
    _require_manager(request.user)
    attribute = get_object_or_404(CategoryAttribute, pk=attribute_id, category_id=category_id)
    try:
        services.delete_attribute(user=request.user, attribute_id=attribute.pk)
    except Forbidden:
        raise PermissionDenied from None
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Deleted: %(name)s") % {"name": attribute.description})
    return redirect("reports:category_edit", category_id)
