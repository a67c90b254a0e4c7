from django.urls import path

from . import views

app_name = "search"

urlpatterns = [
    path("search/", views.search_results, name="search"),
    path("search/similar-threads/", views.similar_threads, name="similar_threads"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag_detail"),
]
