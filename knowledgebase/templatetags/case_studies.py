"""What forum pages show of the knowledge base: the case study a thread discusses.

The community app never imports the knowledge base; its templates load this library instead.
"""

from django import template

from community.permissions import can_propose_case_study

from ..models import CaseStudyPage, Classification

register = template.Library()


@register.simple_tag
def discussed_case_study(user, thread):
    """Return the case study *thread* discusses, if *user* may see it (one query, if linked)."""
    if not thread.case_study_id:
        return None
    return CaseStudyPage.objects.visible_to(user).filter(pk=thread.case_study_id).first()


@register.simple_tag
def case_study_classifications(user, thread):
    """Return the choices of the "turn into a case study" form, if *user* may propose one."""
    return Classification.choices if can_propose_case_study(user, thread) else []
