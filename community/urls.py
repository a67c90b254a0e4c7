from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("settings/", views.account_settings, name="settings"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
