"""Template helpers for profiles: what a viewer may see of a member, from the one rule.

Templates never decide visibility themselves: they ask ``permissions.can_see_profile_field``
through these tags, which use only what the view fetched (no query per profile).
"""

from django import template

from community.models import PROFILE_VISIBILITY_FIELDS
from community.permissions import can_see_profile_field, is_verified_practitioner

register = template.Library()


@register.simple_tag
def profile_fields(profile, viewer):
    """Return ``{field: bool}``: which fields of *profile* *viewer* may see."""
    if not profile:
        return {}
    return {
        field: can_see_profile_field(viewer, profile, field) for field in PROFILE_VISIBILITY_FIELDS
    }


@register.simple_tag
def profile_badge(profile, viewer):
    """Return what the "Verified practitioner" badge of *profile* shows to *viewer*.

    Empty for members who are not verified (or whose verification expired).
    """
    if not profile or not is_verified_practitioner(profile.user):
        return {}
    badge = {"is_verified": True}
    if can_see_profile_field(viewer, profile, "stakeholder_type"):
        badge["stakeholder_type"] = profile.get_stakeholder_type_display()
    if profile.country and can_see_profile_field(viewer, profile, "country"):
        badge["country"] = profile.country.name
    return badge
