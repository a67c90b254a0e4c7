"""The portal's URLs, and before them the benchmark's two reference pages."""

from django.urls import path

from medi4sec import urls as portal

from . import views

handler400 = portal.handler400
handler403 = portal.handler403
handler404 = portal.handler404
handler500 = portal.handler500
handler429 = portal.handler429

urlpatterns = [
    path("bench/hello/", views.hello, name="bench_hello"),
    path("bench/rows/", views.rows, name="bench_rows"),
    *portal.urlpatterns,
]
