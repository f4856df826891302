"""Report pages: residents' /reports/…, staff /reports/desk/…, the public /reports/estate/<id>/,
figures and categories."""

from django.urls import path

from . import views, views_categories, views_resident, views_staff

app_name = "reports"
urlpatterns = [
    path("", views_resident.my_reports, name="mine"),
    path("new/", views_resident.new_report, name="new"),
    path("new/similar/", views_resident.similar, name="similar"),
    path("<int:report_id>/", views_resident.report_detail, name="detail"),
    path("<int:report_id>/support/", views_resident.support, name="support"),
    path("<int:report_id>/confirm/", views_resident.confirm, name="confirm"),
    path("<int:report_id>/reopen/", views_resident.reopen, name="reopen"),
    path("<int:report_id>/rate/", views_resident.rate, name="rate"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
    path("estate/<int:estate_id>/", views.estate_page, name="estate"),
    path("desk/", views_staff.queue, name="queue"),
    path("desk/dispatch/", views_staff.bulk_dispatch, name="bulk_dispatch"),
    path("desk/<int:report_id>/", views_staff.desk_report, name="desk_report"),
    path("figures/", views_staff.figures_page, name="figures"),
    path("categories/", views_categories.categories, name="categories"),
    path("categories/new/", views_categories.category_edit, name="category_new"),
    path("categories/<int:category_id>/", views_categories.category_edit, name="category_edit"),
    path(
        "categories/<int:category_id>/questions/new/",
        views_categories.attribute_edit,
        name="attribute_new",
    ),
    path(
        "categories/<int:category_id>/questions/<int:attribute_id>/",
        views_categories.attribute_edit,
        name="attribute_edit",
    ),
    path(
        "categories/<int:category_id>/questions/<int:attribute_id>/delete/",
        views_categories.attribute_delete,
        name="attribute_delete",
    ),
]
