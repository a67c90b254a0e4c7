from django.urls import path

from . import feeds
from .views import forums, moderation, people, privacy, site

app_name = "community"

urlpatterns = [
    path("settings/", site.account_settings, name="settings"),
    path("robots.txt", site.robots_txt, name="robots_txt"),
]

urlpatterns += [
    path("forums/", forums.forum_index, name="forum_index"),
    path("forums/<slug:slug>/", forums.forum_detail, name="forum_detail"),
    path("forums/<slug:slug>/new/", forums.thread_create, name="thread_create"),
    path(
        "forums/<slug:key>/follow/",
        forums.follow_update,
        {"kind": "forum"},
        name="forum_follow",
    ),
    # Before the thread itself: "reply" and "follow" would otherwise read as a thread's slug.
    path("t/<int:thread_id>/reply/", forums.post_create, name="post_create"),
    path("t/<int:thread_id>/quote/<int:post_id>/", forums.post_quote, name="post_quote"),
    path("t/<int:key>/follow/", forums.follow_update, {"kind": "thread"}, name="thread_follow"),
    path("t/<int:thread_id>/<slug:slug>/", forums.thread_detail, name="thread_detail"),
    path("t/<int:thread_id>/<slug:slug>/unread/", forums.thread_unread, name="thread_unread"),
    path("tags/<slug:key>/follow/", forums.follow_update, {"kind": "tag"}, name="tag_follow"),
    path("p/<int:post_id>/", forums.post_permalink, name="post_permalink"),
    path("p/<int:post_id>/edit/", forums.post_edit, name="post_edit"),
    path("p/<int:post_id>/history/", forums.post_history, name="post_history"),
    path("p/<int:post_id>/delete/", forums.post_delete, name="post_delete"),
    path("p/<int:post_id>/helpful/", forums.reaction_toggle, name="reaction_toggle"),
    path("p/<int:post_id>/flag/", moderation.post_flag, name="post_flag"),
    path("notifications/", forums.notification_list, name="notifications"),
    path("notifications/read/", forums.notifications_mark_read, name="notifications_mark_read"),
    path("feeds/forums/", feeds.LatestThreadsFeed(), name="feed_threads"),
    path("feeds/forums/<slug:slug>/", feeds.ForumThreadsFeed(), name="feed_forum"),
]

urlpatterns += [
    path("members/", people.member_list, name="member_list"),
    path("members/<str:username>/", people.member_detail, name="member_detail"),
    path("settings/verification/", people.verification_settings, name="verification_settings"),
    path(
        "verification/confirm/<str:token>/",
        people.verification_confirm,
        name="verification_confirm",
    ),
    path("verification/queue/", people.verification_queue, name="verification_queue"),
    path(
        "verification/requests/<int:pk>/",
        people.verification_request_detail,
        name="verification_request",
    ),
    path(
        "verification/members/<str:username>/revoke/",
        people.verification_revoke,
        name="verification_revoke",
    ),
    path("groups/", people.group_list, name="group_list"),
    path("groups/<slug:slug>/", people.group_detail, name="group_detail"),
    path("groups/<slug:slug>/join/", people.group_join, name="group_join"),
    path(
        "groups/memberships/<int:pk>/decide/",
        people.group_membership_decide,
        name="group_membership_decide",
    ),
]

urlpatterns += [
    path("moderation/", moderation.moderation_queue, name="moderation_queue"),
    path("moderation/log/", moderation.moderation_log, name="moderation_log"),
    path("moderation/posts/<int:post_id>/", moderation.moderation_post, name="moderation_post"),
    path(
        "moderation/decisions/<int:action_id>/",
        moderation.moderation_decision,
        name="moderation_decision",
    ),
    path(
        "moderation/appeals/<int:appeal_id>/decide/",
        moderation.appeal_decide_view,
        name="appeal_decide",
    ),
]

urlpatterns += [
    path("consent/", privacy.consent_accept, name="consent"),
    path("settings/privacy/", privacy.privacy_settings, name="settings_privacy"),
    path("settings/privacy/delete/", privacy.account_delete, name="account_delete"),
    path(
        "settings/privacy/export/<uuid:export_id>/",
        privacy.export_download,
        name="export_download",
    ),
]
