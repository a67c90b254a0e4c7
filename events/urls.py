"""Routes of events outside the page tree (the listing and the events are Wagtail pages)."""

from django.urls import path

from . import views
from .feeds import UpcomingEventsFeed

app_name = "events"

urlpatterns = [
    path("events/feed.ics", views.public_calendar, name="public_calendar"),
    path("events/feeds/<str:token>.ics", views.private_calendar, name="private_calendar"),
    path("events/feed/", UpcomingEventsFeed(), name="event_feed"),
    path("events/calendar/", views.calendar_settings, name="calendar_settings"),
    path("events/organise/", views.organise_list, name="organise_list"),
    path("events/organise/<int:page_id>/", views.organise_event, name="organise_event"),
    path(
        "events/organise/applications/<int:application_id>/",
        views.application_decide,
        name="application_decide",
    ),
    path("events/<int:page_id>/apply/", views.application_create, name="application_create"),
    path("events/<int:page_id>/cancel/", views.application_cancel, name="application_cancel"),
    path("events/<int:page_id>/feedback/", views.feedback_create, name="feedback_create"),
    path(
        "events/<int:page_id>/participants/listing/",
        views.participant_listing,
        name="participant_listing",
    ),
]
