"""Forms of the community half, one module per concern: validation only, no side effects."""

from .forums import FollowForm, PostForm, ThreadForm
from .moderation import AppealDecisionForm, AppealForm, FlagForm, ModerationActionForm
from .people import (
    DirectoryForm,
    DisplayNameForm,
    ProfileForm,
    SignupForm,
    VerificationApproveForm,
    VerificationReasonForm,
    VerificationRequestForm,
)

__all__ = [
    "AppealDecisionForm",
    "AppealForm",
    "DirectoryForm",
    "DisplayNameForm",
    "FlagForm",
    "FollowForm",
    "ModerationActionForm",
    "PostForm",
    "ProfileForm",
    "SignupForm",
    "ThreadForm",
    "VerificationApproveForm",
    "VerificationReasonForm",
    "VerificationRequestForm",
]
