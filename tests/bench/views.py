"""Reference views for ``make bench``: the cheapest response, and 50 rows through a template.

They give the forum figures a scale. Served only under the benchmark's settings
(tests/bench/settings.py), never by the portal.
"""

from django.http import HttpResponse
from django.shortcuts import render

from community.models import Thread


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


def rows(request):
    threads = Thread.objects.select_related("author").order_by("-last_activity_at")[:50]
    return render(request, "bench/rows.html", {"threads": threads})
