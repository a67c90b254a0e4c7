"""Reference views for ``make bench`` only: served when BENCH_VIEWS=1, never in production.

They give the forum figures a scale: the cheapest possible response, and an ordinary page that
renders 50 rows from the database through the site's templates.
"""

from django.http import HttpResponse
from django.shortcuts import render

from .models import Thread


def hello(request):
    return HttpResponse("Hello, world", content_type="text/plain")


def rows(request):
    threads = Thread.objects.select_related("author").order_by("-last_activity_at")[:50]
    return render(request, "community/bench_rows.html", {"threads": threads})
