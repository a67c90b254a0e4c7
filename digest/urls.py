from django.urls import path

from . import views

app_name = "digest"

urlpatterns = [
    path("settings/digest/", views.digest_settings, name="settings"),
    path("settings/digest/preview/", views.digest_preview, name="preview"),
    path("digest/unsubscribe/<str:token>/", views.digest_unsubscribe, name="unsubscribe"),
]
