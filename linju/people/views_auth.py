from django.shortcuts import render


def login_view(request):
    return render(request, "core/home.html")


logout_view = signup = privacy = login_view


def lockout_response(request, credentials, *args, **kwargs):
    return render(request, "people/locked_out.html", status=429)
