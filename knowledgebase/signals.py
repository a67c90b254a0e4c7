"""Receivers of the signals Wagtail publishes about pages, and of saves in the admins.

A case study's discussion must have exactly the case study's readers. Who those are changes on
publication (now, scheduled or a revision reverted), on unpublication and expiry, with a Wagtail
view restriction, and when an editor changes a forum or a thread in an admin: each receiver
hands the case studies concerned to ``case_study_discussion_sync``, inside the change's own
transaction, so the discussion never outlives the change by a moment.
"""

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished

from community.models import Forum, HiddenReason, Thread

from .models import CaseStudyPage


@receiver(page_published, sender=CaseStudyPage)
def start_discussion(sender, instance, revision=None, **kwargs):
    """Give a case study its discussion thread from its first publication on."""
    from .services import case_study_discussion_ensure

    author = (revision.user if revision is not None else None) or instance.owner
    transaction.on_commit(lambda: case_study_discussion_ensure(page=instance, author=author))


@receiver(page_published, sender=CaseStudyPage)
def discussion_follows_publication(sender, instance, **kwargs):
    """Keep the discussion with the audience just published."""
    from .services import case_study_discussion_sync

    case_study_discussion_sync(page=instance)


@receiver(page_unpublished, sender=CaseStudyPage)
def discussion_follows_unpublication(sender, instance, **kwargs):
    """Withdraw the discussion with the page (unpublished, expired or about to be deleted)."""
    from .services import case_study_discussion_sync

    case_study_discussion_sync(page=instance, shown=False)


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
def discussions_follow_view_restrictions(sender, instance, **kwargs):
    """Withdraw the discussions of case studies a view restriction hides, restore them after."""
    from .services import case_study_discussions_sync

    pages = CaseStudyPage.objects.filter(path__startswith=instance.page.path)
    case_study_discussions_sync(pages=pages)


@receiver(post_save, sender=Forum)
def discussions_follow_forum_audience(sender, instance, raw=False, **kwargs):
    """Move out the discussions a forum's audience no longer fits; bring back those it fits."""
    from .services import case_study_discussions_sync

    if raw:
        return
    fits = Q(audience=instance.audience, group=instance.group_id)
    in_forum = Thread.objects.filter(forum=instance).values("case_study_id")
    withdrawn = Thread.objects.filter(
        posts__number=1, posts__is_hidden=True, posts__hidden_reason=HiddenReason.WITHDRAWN
    ).values("case_study_id")
    pages = CaseStudyPage.objects.filter(
        (Q(pk__in=in_forum) & ~fits) | (Q(pk__in=withdrawn) & fits)
    )
    case_study_discussions_sync(pages=pages)


@receiver(post_save, sender=Thread)
def discussion_stays_with_its_audience(sender, instance, created, raw=False, **kwargs):
    """Put a discussion back where it belongs after an editor moved or linked it by hand."""
    from .services import case_study_discussions_sync

    if instance.case_study_id and not created and not raw:
        case_study_discussions_sync(pages=CaseStudyPage.objects.filter(pk=instance.case_study_id))


@receiver(page_published, sender=CaseStudyPage)
def record_publication_without_review(sender, instance, revision=None, **kwargs):
    """Keep in the page's history a publication that no completed review approved."""
    from .review import publication_record

    publication_record(page=instance, revision=revision)
