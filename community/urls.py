import os

from django.urls import path

from . import feeds, views

app_name = "community"

urlpatterns = [
    path("settings/", views.account_settings, name="settings"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]

urlpatterns += [
    path("forums/", views.forum_index, name="forum_index"),
    path("forums/<slug:slug>/", views.forum_detail, name="forum_detail"),
    path("forums/<slug:slug>/new/", views.thread_create, name="thread_create"),
    path(
        "forums/<slug:key>/follow/",
        views.follow_update,
        {"kind": "forum"},
        name="forum_follow",
    ),
    # Before the thread itself: "reply" and "follow" would otherwise read as a thread's slug.
    path("t/<int:thread_id>/reply/", views.post_create, name="post_create"),
    path("t/<int:key>/follow/", views.follow_update, {"kind": "thread"}, name="thread_follow"),
    path("t/<int:thread_id>/<slug:slug>/", views.thread_detail, name="thread_detail"),
    path("t/<int:thread_id>/<slug:slug>/unread/", views.thread_unread, name="thread_unread"),
    path("tags/<slug:key>/follow/", views.follow_update, {"kind": "tag"}, name="tag_follow"),
    path("p/<int:post_id>/", views.post_permalink, name="post_permalink"),
    path("p/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("p/<int:post_id>/history/", views.post_history, name="post_history"),
    path("p/<int:post_id>/delete/", views.post_delete, name="post_delete"),
    path("p/<int:post_id>/helpful/", views.reaction_toggle, name="reaction_toggle"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("feeds/forums/", feeds.LatestThreadsFeed(), name="feed_threads"),
    path("feeds/forums/<slug:slug>/", feeds.ForumThreadsFeed(), name="feed_forum"),
]

urlpatterns += [
    path("members/", views.member_list, name="member_list"),
    path("members/<str:username>/", views.member_detail, name="member_detail"),
    path("settings/verification/", views.verification_settings, name="verification_settings"),
    path(
        "verification/confirm/<str:token>/",
        views.verification_confirm,
        name="verification_confirm",
    ),
    path("verification/queue/", views.verification_queue, name="verification_queue"),
    path(
        "verification/requests/<int:pk>/",
        views.verification_request_detail,
        name="verification_request",
    ),
    path(
        "verification/members/<str:username>/revoke/",
        views.verification_revoke,
        name="verification_revoke",
    ),
    path("groups/", views.group_list, name="group_list"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/join/", views.group_join, name="group_join"),
    path(
        "groups/memberships/<int:pk>/decide/",
        views.group_membership_decide,
        name="group_membership_decide",
    ),
]

# Reference pages for `make bench` (tests/bench/): only when the benchmark asks for them.
if os.environ.get("BENCH_VIEWS") == "1":
    from . import bench

    urlpatterns += [
        path("bench/hello/", bench.hello, name="bench_hello"),
        path("bench/rows/", bench.rows, name="bench_rows"),
    ]

urlpatterns += [
    path("settings/digest/", views.digest_settings, name="settings_digest"),
    path("digest/unsubscribe/<str:token>/", views.digest_unsubscribe, name="digest_unsubscribe"),
]
