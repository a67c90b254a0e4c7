"""Emails of the community half: each renders templates/emails/<name>.txt and .html and sends.

Services call these after their transaction is committed (``transaction.on_commit``), with ids
where the row is read again, so an email never tells about something that was rolled back.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _


def absolute_url(path: str) -> str:
    """Return *path* on the portal as a full URL for an email."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def send(*, template: str, to: str, subject: str, context: dict) -> None:
    """Send a multipart email rendered from ``emails/<template>.txt`` and ``.html``."""
    context = {"site_url": settings.SITE_URL, **context}
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}",
        body=render_to_string(f"emails/{template}.txt", context),
        to=[to],
    )
    message.attach_alternative(render_to_string(f"emails/{template}.html", context), "text/html")
    message.send()


def send_verification_confirmation(*, request_id: int) -> None:
    """Send the link that confirms the official address of a verification request."""
    from .models import VerificationRequest
    from .services import verification_confirm_token

    request = VerificationRequest.objects.select_related("user").get(pk=request_id)
    token = verification_confirm_token(request=request)
    send(
        template="verification_confirm",
        to=request.official_email,
        subject=_("Confirm your official email address"),
        context={
            "request": request,
            "member": request.user,
            "confirm_url": absolute_url(reverse("community:verification_confirm", args=[token])),
            "valid_hours": settings.VERIFICATION_CONFIRM_MAX_AGE // 3600,
        },
    )


def send_verification_decision(*, decision_id: int) -> None:
    """Tell the member what was decided about their practitioner status, and why."""
    from .models import VerificationDecision

    decision = VerificationDecision.objects.select_related("user").get(pk=decision_id)
    send(
        template="verification_decision",
        to=decision.user.email,
        subject=_("Your practitioner verification: %(action)s")
        % {"action": decision.get_action_display().lower()},
        context={
            "decision": decision,
            "member": decision.user,
            "settings_url": absolute_url(reverse("community:verification_settings")),
        },
    )


def send_verification_reminder(*, user, verified_until, days: int) -> None:
    """Remind *user* that their verification ends in *days* days, with the renewal link."""
    send(
        template="verification_reminder",
        to=user.email,
        subject=_("Your practitioner verification ends in %(days)d days") % {"days": days},
        context={
            "member": user,
            "verified_until": verified_until,
            "days": days,
            "renew_url": absolute_url(f"{reverse('community:verification_settings')}?renew=1"),
        },
    )


def send_group_decision(*, user, group, approved: bool) -> None:
    """Tell *user* whether they were let into *group*."""
    send(
        template="group_decision",
        to=user.email,
        subject=(_("You joined %(group)s") if approved else _("Your request to join %(group)s"))
        % {"group": group.name},
        context={
            "member": user,
            "group": group,
            "approved": approved,
            "group_url": absolute_url(reverse("community:group_detail", args=[group.slug])),
        },
    )


# Digest: messages are built here and sent by ``community.digest.deliver``, which needs the SMTP
# errors to decide between retrying and recording a failure.


def _inline_css(html: str) -> str:
    """Move the <style> rules onto the elements: many mail clients drop <style> blocks."""
    import css_inline

    inliner = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
    return inliner.inline(html)


def _sender() -> str:
    """Return DEFAULT_FROM_EMAIL with its display name quoted: "MEDI@4SEC" needs quotes in SMTP."""
    from email.utils import formataddr

    name, bracket, address = settings.DEFAULT_FROM_EMAIL.rpartition("<")
    if not bracket:
        return settings.DEFAULT_FROM_EMAIL
    return formataddr((name.strip().strip('"'), address.rstrip(">").strip()))


def digest_message(*, digest, message_id: str) -> EmailMultiAlternatives:
    """Return the multipart digest email, with one-click unsubscribe headers (RFC 8058)."""
    context = {"site_url": settings.SITE_URL, "digest": digest, "member": digest.user}
    unsubscribe = digest.unsubscribe_url
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{digest.subject}",
        from_email=_sender(),
        body=render_to_string("emails/digest.txt", context),
        to=[digest.user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "Message-ID": message_id,
        },
    )
    html = _inline_css(render_to_string("emails/digest.html", context))
    message.attach_alternative(html, "text/html")
    return message


def digest_absence_message(*, user) -> EmailMultiAlternatives:
    """Return the one email that tells an absent member their digest stops until they return."""
    context = {
        "site_url": settings.SITE_URL,
        "member": user,
        "days": settings.DIGEST_ABSENCE_DAYS,
        "login_url": absolute_url(reverse("account_login")),
    }
    message = EmailMultiAlternatives(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{_('Your digest is paused')}",
        from_email=_sender(),
        body=render_to_string("emails/digest_paused.txt", context),
        to=[user.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(
        _inline_css(render_to_string("emails/digest_paused.html", context)), "text/html"
    )
    return message
