"""Writes with side effects, as keyword-only functions named ``<entity>_<action>``."""

from django.db import transaction

from .models import Profile, User


def profile_get_or_create(*, user: User) -> Profile:
    """Return the stakeholder profile of *user*, creating an empty one on first use."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user: User, display_name: str, **fields) -> Profile:
    """Save *user*'s display name and profile *fields* together."""
    user.display_name = display_name
    user.save(update_fields=["display_name"])
    profile = profile_get_or_create(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()
    return profile
