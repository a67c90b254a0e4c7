"""The bare reference's two views: the same work as tests/bench/views.py, without the portal."""

from django.http import HttpResponse
from django.shortcuts import render

from .models import Thread


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


def rows(request):
    threads = Thread.objects.select_related("author").order_by("-last_activity_at")[:50]
    return render(request, "bare/rows.html", {"threads": threads})


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
