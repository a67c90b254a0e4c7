from django.urls import path

from . import views

urlpatterns = [
    path("bench/hello/", views.hello),
    path("bench/rows/", views.rows),
    path("healthz", views.healthz),
]
