"""Template helpers for profiles: what a viewer may see of a member, from the one rule.

Templates never decide visibility themselves: they ask ``permissions.can_see_profile_field``
through these tags, which use only what the view fetched (no query per profile).
"""

from django import template

from community.models import PROFILE_VISIBILITY_FIELDS
from community.permissions import can_see_profile_field
from community.presenters import profile_badge

register = template.Library()


@register.simple_tag
def profile_fields(profile, viewer):
    """Return ``{field: bool}``: which fields of *profile* *viewer* may see."""
    if not profile:
        return {}
    return {
        field: can_see_profile_field(viewer, profile, field) for field in PROFILE_VISIBILITY_FIELDS
    }


register.simple_tag(profile_badge, name="profile_badge")
