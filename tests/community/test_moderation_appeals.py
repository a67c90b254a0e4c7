"""Appeals in a small team: with one moderator, a site administrator or an editor decides."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.models import Group, Permission

from community.models import Appeal, ModerationAction
from tests.community.test_moderation import act, client_for
from tests.factories import ForumFactory, UserFactory, make_moderator, make_thread

pytestmark = pytest.mark.django_db

OVERTURN = {"decision": "overturn", "reason": "The raid had ended; the post is history."}


def with_two_factor(user):
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return user


@pytest.fixture
def author(db):
    return UserFactory(username="author", email="author@example.eu")


@pytest.fixture
def moderator(db):
    return make_moderator("moderator")


@pytest.fixture
def administrator(db):
    """A site administrator who is not staff: no moderator, but a referee."""
    return with_two_factor(UserFactory(username="admin-person", is_superuser=True))


@pytest.fixture
def editor(db):
    user = with_two_factor(UserFactory(username="editor"))
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def appeal(author, moderator, django_capture_on_commit_callbacks):
    """The moderator hid the author's post; the author appealed."""
    thread = make_thread(ForumFactory(audience="members"), author, title="Derby", replies=1)
    target = thread.posts.get(number=2)
    with django_capture_on_commit_callbacks(execute=True):
        act(client_for(moderator), target, action="hide", reason="Operational details.")
    decision = ModerationAction.objects.get(kind="hide")
    response = client_for(author).post(decision.get_absolute_url(), {"text": "It was over."})
    assert response.status_code == 302
    return Appeal.objects.get()


def decide(user, appeal, data=OVERTURN):
    return client_for(user).post(f"/moderation/appeals/{appeal.pk}/decide/", data)


def test_the_editors_group_holds_the_permission_to_decide_appeals():
    editors = Group.objects.get(name="Editors")
    permission = Permission.objects.get(codename="decide_appeal")
    assert permission in editors.permissions.all()
    assert not Group.objects.get(name="Moderators").permissions.filter(pk=permission.pk).exists()


def test_with_a_single_moderator_a_site_administrator_decides(appeal, moderator, administrator):
    own = decide(moderator, appeal)
    assert own.status_code == 400
    assert "Another moderator decides this appeal" in own.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "pending"

    page = client_for(administrator).get(appeal.action.get_absolute_url())
    assert page.status_code == 200
    assert "Decide the appeal" in page.content.decode()
    response = decide(administrator, appeal)
    assert response.status_code == 302
    assert response.url == appeal.action.get_absolute_url()  # a referee has no queue
    appeal.refresh_from_db()
    assert appeal.status == "overturned"
    assert ModerationAction.objects.get(kind="appeal_overturned").moderator == administrator


def test_with_a_single_moderator_an_editor_with_the_permission_decides(appeal, editor):
    assert decide(editor, appeal, {"decision": "uphold", "reason": "Rule 3."}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "upheld"


def test_members_and_editors_without_the_permission_may_not_decide(appeal, editor):
    editor.groups.clear()
    for user in (editor, UserFactory(username="someone")):
        assert decide(user, appeal).status_code == 404
        assert client_for(user).get(appeal.action.get_absolute_url()).status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == "pending"


def test_the_member_is_told_who_decides_in_a_team_of_one(appeal, author):
    html = client_for(author).get(appeal.action.get_absolute_url()).content.decode()
    assert "a site administrator or an editor entrusted with appeals decides it" in html


def test_the_original_moderator_never_decides_even_as_administrator(appeal, moderator):
    moderator.is_superuser = True
    moderator.save(update_fields=["is_superuser"])
    response = decide(moderator, appeal)
    assert response.status_code == 400
    assert "Decide the appeal" not in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "pending"


def test_with_a_second_moderator_they_decide_not_a_referee(appeal, author, administrator, editor):
    second = make_moderator("second-moderator")
    html = client_for(author).get(appeal.action.get_absolute_url()).content.decode()
    assert "A moderator who did not take the decision decides your appeal." in html
    assert "site administrator" not in html

    for referee in (administrator, editor):
        response = decide(referee, appeal)
        assert response.status_code == 400
        assert "Decide the appeal" not in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.status == "pending"

    assert decide(second, appeal).status_code == 302
    appeal.refresh_from_db()
    assert appeal.status == "overturned"
    assert ModerationAction.objects.get(kind="appeal_overturned").moderator == second


def test_an_inactive_second_moderator_does_not_count(appeal, administrator):
    second = make_moderator("second-moderator")
    second.is_active = False
    second.save(update_fields=["is_active"])
    assert decide(administrator, appeal).status_code == 302
