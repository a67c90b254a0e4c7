from django.urls import path


def boom(request):
    raise RuntimeError("deliberate failure")


urlpatterns = [path("boom/", boom)]
handler500 = "community.views.server_error"
