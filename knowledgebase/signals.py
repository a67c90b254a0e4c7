"""Receivers of the signals Wagtail publishes about pages."""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

from .models import CaseStudyPage


@receiver(page_published, sender=CaseStudyPage)
def start_discussion(sender, instance, revision=None, **kwargs):
    """Give a case study its discussion thread from its first publication on."""
    from .services import case_study_discussion_ensure

    author = (revision.user if revision is not None else None) or instance.owner
    transaction.on_commit(lambda: case_study_discussion_ensure(page=instance, author=author))


@receiver(page_published, sender=CaseStudyPage)
def index_for_search(sender, instance, **kwargs):
    """Store the published text of a case study for full-text search."""
    from community.search import case_study_vector_update

    case_study_vector_update(page_ids=[instance.pk])


@receiver(page_published, sender=CaseStudyPage)
def record_publication_without_review(sender, instance, revision=None, **kwargs):
    """Keep in the page's history a publication that no completed review approved."""
    from .review import publication_record

    publication_record(page=instance, revision=revision)
