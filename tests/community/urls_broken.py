from django.db import OperationalError
from django.urls import path


def boom(request):
    raise RuntimeError("deliberate failure")


def database_gone(request):
    raise OperationalError("connection to server at 127.0.0.1 failed")


urlpatterns = [path("boom/", boom), path("database-gone/", database_gone)]
handler500 = "community.views.site.server_error"
