"""Requests from people who appear in a case study: public form, editors' queue, due date."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse

from community.models import PersonRequest
from tests.factories import UserFactory, make_case_study

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)
DATA = {
    "kind": "removal",
    "name": "Ana Pereira",
    "email": "ana@example.pt",
    "details": "The photo in the second section shows my face.",
}


@pytest.fixture
def case_study(db):
    return make_case_study("Festival live Q&A", audience="public")


@pytest.fixture
def editor(db):
    editor = UserFactory(username="elena", email="elena@example.eu")
    editor.groups.add(Group.objects.get(name="Editors"))
    return editor


def form_url(case_study):
    return reverse("knowledgebase:person_request", args=[case_study.pk])


def test_each_case_study_page_links_to_the_form(client, case_study):
    page = client.get(case_study.url).content.decode()
    assert form_url(case_study) in page


def test_request_lands_in_the_queue_due_in_30_days_and_editors_hear_of_it(
    client, case_study, editor, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(form_url(case_study), DATA)
    assert response.status_code == 302
    assert response.url == reverse("knowledgebase:person_request_sent")
    request = PersonRequest.objects.get()
    assert (request.case_study.specific, request.status) == (case_study, "open")
    assert request.due_at == NOW + datetime.timedelta(days=30)
    assert [message.to for message in mail.outbox] == [["elena@example.eu"]]
    assert "Festival live Q&A" in mail.outbox[0].body
    assert "within 30 days" in client.get(response.url).content.decode()


def test_editors_see_the_queue_in_the_wagtail_admin(client, case_study, editor):
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(editor, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client.post(form_url(case_study), DATA)
    client.force_login(editor)
    response = client.get(reverse("wagtailsnippets_community_personrequest:list"))
    assert response.status_code == 200
    assert "Ana Pereira" in response.content.decode()


def test_missing_fields_give_a_clear_message_and_keep_what_was_typed(client, case_study):
    response = client.post(form_url(case_study), {**DATA, "name": "", "kind": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Tell us your name, so we can answer you." in page
    assert "Choose whether we should correct or remove something." in page
    assert "The photo in the second section shows my face." in page
    assert 'value="ana@example.pt"' in page
    assert not PersonRequest.objects.exists()


def test_the_form_is_rate_limited_and_keeps_the_text(client, case_study, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "person_request": "2/h/ip"}
    for _attempt in range(2):
        assert client.post(form_url(case_study), DATA).status_code == 302
    response = client.post(form_url(case_study), DATA)
    assert response.status_code == 429
    assert "Please wait 60 minutes" in response.content.decode()
    assert "The photo in the second section shows my face." in response.content.decode()
    assert PersonRequest.objects.count() == 2


def test_case_studies_one_may_not_see_answer_404(client):
    hidden = make_case_study("Verified only", audience="verified")
    assert client.get(form_url(hidden)).status_code == 404
    draft = make_case_study("A draft", publish=False)
    assert client.get(form_url(draft)).status_code == 404
