"""Knowledge-base data, one module per concern; import models from here."""

from ..library import CaseStudyIndexPage
from .case_studies import (
    AudienceRestrictedPageMixin,
    CaseStudyPage,
    CaseStudyPageQuerySet,
    RelatedCaseStudy,
    ReviewedPageMixin,
    Source,
)
from .documents import PortalDocument
from .ethics import (
    ETHICS_CHECKLIST,
    ChecklistAnswer,
    EthicsChecklistForm,
    EthicsReviewTask,
    EthicsReviewTaskState,
)
from .pages import HomePage, StandardPage
from .taxonomy import Actor, ActorKind, CaseStudyTag, Classification, Platform, Theme

__all__ = [
    "ETHICS_CHECKLIST",
    "Actor",
    "ActorKind",
    "AudienceRestrictedPageMixin",
    "CaseStudyIndexPage",
    "CaseStudyPage",
    "CaseStudyPageQuerySet",
    "CaseStudyTag",
    "ChecklistAnswer",
    "Classification",
    "EthicsChecklistForm",
    "EthicsReviewTask",
    "EthicsReviewTaskState",
    "HomePage",
    "Platform",
    "PortalDocument",
    "RelatedCaseStudy",
    "ReviewedPageMixin",
    "Source",
    "StandardPage",
    "Theme",
]
