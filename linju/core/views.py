from django.http import JsonResponse
from django.shortcuts import render


def home(request):
    return render(request, "core/home.html")


def staff_home(request):
    return render(request, "core/home.html")


def notifications(request):
    return render(request, "core/home.html")


def audit_log(request):
    return render(request, "core/home.html")


def elder_mode(request):
    return render(request, "core/home.html")


def healthz(request):
    return JsonResponse({"ok": True})
