"""Feedback after the event (organisers see it without names), and the listing's filters."""

import pytest

from events.models import Application, Feedback
from tests.events.conftest import make_event, make_organiser
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def participant(event, username, display_name):
    member = UserFactory(username=username, display_name=display_name)
    Application.objects.create(
        event=event, member=member, stakeholder_type="research", status="accepted"
    )
    return member


def test_participants_give_feedback_once_after_the_event_and_organisers_read_it_unnamed(client):
    event = make_event(days=-3)
    rosa = participant(event, "rosa", "Rosa Feedback")
    client.force_login(rosa)
    assert "Your feedback" in client.get(event.url).content.decode()
    url = f"/events/{event.pk}/feedback/"
    client.post(url, {"rating": "4", "comment": "The table-top part was the best."})
    second = client.post(url, {"rating": "1", "comment": "Again"}, follow=True)
    assert "Only participants give feedback, once, after the event." in second.content.decode()
    assert list(Feedback.objects.values_list("rating", flat=True)) == [4]

    client.force_login(make_organiser())
    queue = client.get(f"/events/organise/{event.pk}/").content.decode()
    feedback = queue.split("Feedback (anonymous)", 1)[1]
    assert "4/5: The table-top part was the best." in feedback
    assert "Rosa Feedback" not in feedback

    client.force_login(UserFactory())
    assert "The table-top part was the best." not in client.get(event.url).content.decode()


@pytest.mark.parametrize("who", ["stranger", "participant_before_the_end"])
def test_feedback_is_refused_to_non_participants_and_before_the_end(client, who):
    event = make_event(days=-3 if who == "stranger" else 3)
    member = UserFactory() if who == "stranger" else participant(event, "early", "Early")
    client.force_login(member)
    response = client.post(f"/events/{event.pk}/feedback/", {"rating": "5"}, follow=True)
    assert response.status_code == 200
    assert "Only participants give feedback" in response.content.decode()
    assert not Feedback.objects.exists()


def test_a_bad_rating_keeps_the_comment_and_says_why(client):
    event = make_event(days=-3)
    client.force_login(participant(event, "rosa", "Rosa"))
    response = client.post(f"/events/{event.pk}/feedback/", {"rating": "9", "comment": "Kept"})
    assert response.status_code == 400
    assert "Kept" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Brussels workshop", "Online webinar", "Lisbon conference in Portuguese"}),
        ("kind=webinar", {"Online webinar"}),
        ("theme=trolling", {"Brussels workshop"}),
        ("country=PT", {"Lisbon conference in Portuguese"}),
        ("place=online", {"Online webinar"}),
        ("place=in_person", {"Brussels workshop", "Lisbon conference in Portuguese"}),
        ("language=pt", {"Lisbon conference in Portuguese"}),
        ("when=past", {"Past exercise"}),
        ("when=past&kind=webinar", set()),
    ],
)
def test_the_listing_filters_by_kind_theme_country_place_and_language(client, query, expected):
    make_event("Brussels workshop", themes=["trolling"])
    make_event("Online webinar", kind="webinar", is_online=True, city="", country="")
    make_event(
        "Lisbon conference in Portuguese",
        kind="conference",
        city="Lisbon",
        country="PT",
        languages="en pt",
    )
    make_event("Past exercise", kind="exercise", days=-40)
    page = client.get(f"/events/?{query}").content.decode()
    shown = {
        title
        for title in [
            "Brussels workshop",
            "Online webinar",
            "Lisbon conference in Portuguese",
            "Past exercise",
        ]
        if f">{title}</a>" in page
    }
    assert shown == expected
