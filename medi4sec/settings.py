"""Settings for the MEDI@4SEC Community Portal, read from the environment.

One module for every environment. Without any environment variables the portal runs on the
embedded default (SQLite, local-memory cache, Celery tasks in-process, emails written to files);
production, docker compose and CI set ``DATABASE_URL``, ``REDIS_URL``, ``EMAIL_URL`` and friends.
Sections: core, database, apps, middleware and templates, cache, Celery, email, accounts,
security, languages, static files and uploads, Wagtail, logging; the portal's own (abuse limits,
knowledge base, moderation, people, digest, privacy, reliability); last, the beat schedule.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from medi4sec.mailers import mailer_from_url

# Core
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)
DEBUG = env.bool("DEBUG", default=True)
# Development values only while DEBUG is on: production refuses to start without its own.
SECRET_KEY = env.str(
    "SECRET_KEY", default="dev-only-insecure-key-not-for-production" if DEBUG else ""
)
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not (SECRET_KEY and ALLOWED_HOSTS):
    raise ImproperlyConfigured(
        "DEBUG is off: set SECRET_KEY and ALLOWED_HOSTS in the environment (see .env.example)."
    )
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SITE_ID = 1
ROOT_URLCONF = "medi4sec.urls"
WSGI_APPLICATION = "medi4sec.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "community.User"

# Database: SQLite in the project folder unless DATABASE_URL says otherwise (before the apps).
DATABASE_URL = env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not IS_POSTGRES:
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

# Apps
INSTALLED_APPS = [
    "community",
    "knowledgebase",
    "search",
    "digest",
    "events",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "taggit",
    "modelcluster",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    *(["django.contrib.postgres"] if IS_POSTGRES else []),
]

# Middleware and templates. No LocaleMiddleware: one language (LANGUAGES), LANGUAGE_CODE is it.
MIDDLEWARE = [
    "medi4sec.logging.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "community.middleware.CompressWithoutSecretsMiddleware",
    "community.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "community.middleware.SuspendedMemberMiddleware",
    "community.middleware.RequireTwoFactorForStaffMiddleware",
    "community.middleware.ConsentMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "community.context_processors.navigation",
                "community.context_processors.contact",
            ],
        },
    },
]

# Forms: labels without colons, an error summary on top.
FORM_RENDERER = "medi4sec.forms.FormRenderer"

# Cache: Redis when REDIS_URL is set, otherwise in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CACHES = (
    {
        "default": {
            "BACKEND": "medi4sec.cache.FailoverRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "medi4sec",
            "OPTIONS": {
                "FALLBACK": "fallback",
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1.0,
            },
        },
        # Where cache entries (rate-limit counters included) live while Redis is down.
        "fallback": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cache_fallback",
            "KEY_PREFIX": "medi4sec",
        },
    }
    if REDIS_URL
    else {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
)

# Sessions: read from the cache, written through to the database (moderation ends them there).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Celery: Redis as the broker when REDIS_URL is set, else in-process (beat schedule: at the end).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Brussels"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# A request that queues a task must not hang on an unreachable broker.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Last resort for a task a dying worker had received but not started (heartbeats bring the
    # rest back, WORKER_LOST_AFTER_SECONDS). Longer than any retry countdown: a task waiting for
    # its retry is unacknowledged, and a shorter timeout would hand it to a second worker.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
}

# Email: EMAIL_URL names the one mailer (medi4sec.mailers); files in var/mail/ by default.
EMAIL_URL = env.str("EMAIL_URL", default="") or f"file://{VAR_DIR / 'mail'}"
MAILERS = {"default": mailer_from_url(EMAIL_URL)}
# The display name holds an "@", so it must be quoted to be a valid address header.
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default='"MEDI@4SEC" <noreply@medi4sec.local>')
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Where people write to the team (footer, privacy notice, accessibility statement): read by people.
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="contact@medi4sec.local")
# Temporary SMTP failures: retried after 1, 2, 4, ... minutes, at most 30 apart (about 5 hours).
EMAIL_MAX_RETRIES = env.int("EMAIL_MAX_RETRIES", default=14)
EMAIL_RETRY_BASE_SECONDS = env.int("EMAIL_RETRY_BASE_SECONDS", default=60)
EMAIL_RETRY_MAX_SECONDS = env.int("EMAIL_RETRY_MAX_SECONDS", default=1800)

# Accounts and two-factor (django-allauth): email log-in, verified addresses, no enumeration.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [  # Django's and allauth's, loading the member with their profile
    "community.middleware.MemberModelBackend",
    "community.middleware.MemberAuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"  # unless a safe ``next``; newcomers: community.accounts
ACCOUNT_ADAPTER = "community.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "community.forms.SignupForm"}  # digest consent: an unticked box
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True  # only in the browser that signed up (its session)
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_USERNAME_MIN_LENGTH = 3
# "former-member" is what an erased member's mentions become (community.markdown.FORMER_MEMBER).
ACCOUNT_USERNAME_BLACKLIST = [
    "admin", "administrator", "moderator", "staff", "support", "medi4sec", "former-member",
]  # fmt: skip
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MEDI@4SEC] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip", "login_failed": "10/m/ip,5/5m/key", "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key", "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key", "change_password": "5/m/user", "manage_email": "10/m/user",
    # The public form of people who appear in a case study (allauth's rate limiter and cache).
    "person_request": env.str("PERSON_REQUEST_RATE", default="5/h/ip"),
}  # fmt: skip
# Client addresses for rate limits: REMOTE_ADDR, or the address the N trusted proxies in front of
# the portal saw (counted from the right of X-Forwarded-For), so a forged header changes nothing.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MEDI@4SEC"
MFA_REQUIRED_GROUPS = ["Editors", "Moderators", "Verifiers", "Organisers"]  # two-factor first

# Security headers. Django's Content Security Policy with a nonce per response: no inline
# scripts or styles on public pages. The admin sites get a wider policy (see community.middleware).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
}
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
}
ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "community.views.site.csrf_failure"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
    # /healthz and /readyz are probed over plain HTTP inside the compose network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Languages and time
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["medi4sec.formats"]

# Static files and uploads
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Files only views that check who asks hand out (exports, documents): never under MEDIA_ROOT.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=VAR_DIR / "private")
if Path(PRIVATE_MEDIA_ROOT).resolve().is_relative_to(Path(MEDIA_ROOT).resolve()):
    raise ImproperlyConfigured(
        "PRIVATE_MEDIA_ROOT must not be inside MEDIA_ROOT: /media/ would serve it."
    )
STORAGES = {
    "default": {"BACKEND": "community.storage.MediaStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The portal serves MEDIA_URL itself with safe headers (community/views/media.py); turn this off
# where a reverse proxy or object storage serves the uploads (README: "Uploads").
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# Wagtail
WAGTAIL_SITE_NAME = "MEDI@4SEC Community Portal"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # gravatar.com would receive a hash of each editor's email
# Documents only through /documents/<id>/<name> (collection privacy checked), as downloads under
# "default-src 'none'", their files in PRIVATE_MEDIA_ROOT (knowledgebase.PortalDocument).
WAGTAILDOCS_DOCUMENT_MODEL = "knowledgebase.PortalDocument"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_INLINE_CONTENT_TYPES: list[str] = []
# Restricted pages and documents answer 404 (knowledgebase.wagtail_hooks): no password form.
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_COLLECTION_OPTIONS = {"SHARED_PASSWORD": False}
# A document leaves a restricted collection only by a site administrator's hand.
WAGTAILDOCS_DOCUMENT_FORM_BASE = "knowledgebase.documents.DocumentForm"

# Logging: a JSON line per request and task in production (medi4sec.logging); plain in development.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "medi4sec.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The request log below replaces Django's own lines for 4xx answers.
        "django.request": {"level": "ERROR"},
        "medi4sec.request": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}

# The portal: abuse limits (community/limits.py). "New" lasts NEW_ACCOUNT_HOURS after sign-up,
# or until the member is a verified practitioner; staff and moderators are never new. Counts come
# from the database, so they hold while Redis is down. Over a limit: a 429 that keeps the text.
NEW_ACCOUNT_HOURS = env.int("NEW_ACCOUNT_HOURS", default=24)
# Caps over the last 24 hours while the account is new (the first post of a thread is not a reply).
NEW_ACCOUNT_THREADS_PER_DAY = env.int("NEW_ACCOUNT_THREADS_PER_DAY", default=3)
NEW_ACCOUNT_REPLIES_PER_DAY = env.int("NEW_ACCOUNT_REPLIES_PER_DAY", default=20)
# Seconds a new account waits between two posts (threads or replies).
NEW_ACCOUNT_POST_INTERVAL_SECONDS = env.int("NEW_ACCOUNT_POST_INTERVAL_SECONDS", default=60)
# Per post, while new: links to other sites and distinct members mentioned (a form error).
NEW_ACCOUNT_LINKS_PER_POST = env.int("NEW_ACCOUNT_LINKS_PER_POST", default=2)
NEW_ACCOUNT_MENTIONS_PER_POST = env.int("NEW_ACCOUNT_MENTIONS_PER_POST", default=3)
# Everyone: the same text again within this many minutes is refused (double posts, spam runs).
DUPLICATE_POST_MINUTES = env.int("DUPLICATE_POST_MINUTES", default=10)
# Everyone, over the last 24 hours: "helpful" marks given, and flags raised.
REACTIONS_PER_DAY = env.int("REACTIONS_PER_DAY", default=100)
FLAGS_PER_DAY = env.int("FLAGS_PER_DAY", default=20)

# The portal: knowledge base. An edit during review sends a case study back to the first step.
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# A completed workflow publishes by its own authority: reviewers need no "publish" permission,
# and only site administrators may publish past the review (knowledgebase.review).
WAGTAIL_FINISH_WORKFLOW_ACTION = "knowledgebase.workflows.publish_approved_revision"
# Where a published case study's discussion starts, per audience (forum slug); audiences not
# named here use the first forum with the same audience (and working group).
CASE_STUDY_DISCUSSION_FORUMS = {"public": "case-study-discussions"}

# The portal: moderation. Open flags from this many members (or one moderator) hide a post.
MODERATION_AUTO_HIDE_FLAGS = env.int("MODERATION_AUTO_HIDE_FLAGS", default=3)

# The portal: people. A verification lasts this long unless the verifier picks another expiry.
VERIFICATION_VALIDITY_DAYS = env.int("VERIFICATION_VALIDITY_DAYS", default=365)
# How long the link that confirms an official email address works, in seconds.
VERIFICATION_CONFIRM_MAX_AGE = env.int("VERIFICATION_CONFIRM_MAX_AGE", default=3 * 24 * 3600)
VERIFICATION_REMINDER_DAYS = [30, 7]  # days before expiry; each reminder once per expiry date
# Personal mailboxes: they prove nothing about an employer, so they cannot be official addresses.
VERIFICATION_FREE_MAIL_DOMAINS = env.list(
    "VERIFICATION_FREE_MAIL_DOMAINS",
    default=[
        "aol.com", "gmail.com", "googlemail.com", "gmx.com", "gmx.de", "gmx.net", "hotmail.com",
        "icloud.com", "laposte.net", "libero.it", "live.com", "mail.com", "mail.ru", "me.com",
        "msn.com", "orange.fr", "outlook.com", "proton.me", "protonmail.com", "t-online.de",
        "web.de", "yahoo.com", "yahoo.fr", "yandex.ru", "zoho.com",
    ],
)  # fmt: skip
# Avatars: what may be uploaded, and the one size every stored avatar has.
AVATAR_MAX_BYTES, AVATAR_MAX_PIXELS, AVATAR_SIZE = 5 * 1024 * 1024, 40_000_000, 256

# The portal: digest. Weekly runs start on DIGEST_WEEKLY_DAY at DIGEST_WEEKLY_HOUR, daily runs at
# DIGEST_DAILY_HOUR (CELERY_TIMEZONE); each covers the period that ended then.
DIGEST_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DIGEST_WEEKLY_DAY = env.str("DIGEST_WEEKLY_DAY", default="monday").lower()
if DIGEST_WEEKLY_DAY not in DIGEST_WEEKDAYS:
    raise ImproperlyConfigured(f"DIGEST_WEEKLY_DAY must be one of {', '.join(DIGEST_WEEKDAYS)}.")
DIGEST_WEEKLY_HOUR = env.int("DIGEST_WEEKLY_HOUR", default=7)
DIGEST_DAILY_HOUR = env.int("DIGEST_DAILY_HOUR", default=7)
# Posts and threads younger than this may still be edited or removed: the next digest has them.
DIGEST_EDIT_GRACE_MINUTES = env.int("DIGEST_EDIT_GRACE_MINUTES", default=15)
# Members who have not signed in for this long stop receiving digests (and are told once).
DIGEST_ABSENCE_DAYS = env.int("DIGEST_ABSENCE_DAYS", default=180)
DIGEST_SECTION_SIZE, DIGEST_CHUNK_SIZE = 5, env.int("DIGEST_CHUNK_SIZE", default=500)
# Temporary SMTP failures: retried after 1, 2, 4, ... minutes, then recorded as failed.
DIGEST_MAX_RETRIES = env.int("DIGEST_MAX_RETRIES", default=5)
DIGEST_RETRY_BASE_SECONDS = env.int("DIGEST_RETRY_BASE_SECONDS", default=60)

# The portal: privacy. Versions of the terms and the privacy notice members accept: raising one
# asks every member again on their next visit; editors may fix the wording without asking.
TERMS_VERSION = env.str("TERMS_VERSION", default="1")
PRIVACY_VERSION = env.str("PRIVACY_VERSION", default="1")
# Where the documents live (Wagtail standard pages); the privacy notice shows the periods below.
TERMS_URL = env.str("TERMS_URL", default="/code-of-conduct/")
PRIVACY_NOTICE_URL = env.str("PRIVACY_NOTICE_URL", default="/privacy/")
# Retention: never-confirmed accounts, client addresses kept against abuse, data exports.
RETENTION_UNVERIFIED_ACCOUNT_DAYS = env.int("RETENTION_UNVERIFIED_ACCOUNT_DAYS", default=14)
RETENTION_IP_ADDRESS_DAYS = env.int("RETENTION_IP_ADDRESS_DAYS", default=90)
DATA_EXPORT_HOURS = env.int("DATA_EXPORT_HOURS", default=48)
# Requests from people in a case study are due after this many days (a GDPR month, rounded).
PERSON_REQUEST_DUE_DAYS = env.int("PERSON_REQUEST_DUE_DAYS", default=30)
EVENT_DECLINED_RETENTION_DAYS = env.int("EVENT_DECLINED_RETENTION_DAYS", default=180)

# The portal: reliability (community.outbox, community.emails). After a broker failure, web
# processes queue new tasks in the outbox only, for this long (`outbox_dispatch --loop` sends them).
OUTBOX_BROKER_RETRY_SECONDS = env.float("OUTBOX_BROKER_RETRY_SECONDS", default=10.0)
# After a successful send, the web process also sends this many older pending tasks.
OUTBOX_PIGGYBACK_BATCH = env.int("OUTBOX_PIGGYBACK_BATCH", default=20)
# A sent task no worker started after this long was lost with the broker: sent again, up to
# OUTBOX_MAX_SENDS sends. Longer than any queue takes to drain (a digest run for every member).
# A failed task is sent again after this long too; a dead worker's work much sooner (below).
OUTBOX_RESEND_AFTER_SECONDS = env.int("OUTBOX_RESEND_AFTER_SECONDS", default=6 * 3600)
OUTBOX_MAX_SENDS = env.int("OUTBOX_MAX_SENDS", default=3)
# Days finished tasks and the email ledger are kept; the ledger outlives the tasks it guards.
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
EMAIL_LEDGER_KEEP_DAYS = env.int("EMAIL_LEDGER_KEEP_DAYS", default=90)
# Work a dead worker held (task, claimed ledger row, pending retry) is refreshed every
# WORKER_HEARTBEAT_SECONDS while it lives (community.leases); silent for WORKER_LOST_AFTER_SECONDS,
# the dispatcher sends it again and the ledger hands it over exactly once. Six missed heartbeats:
# a busy database or a slow machine is not taken for a dead worker.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=10)
WORKER_LOST_AFTER_SECONDS = env.int("WORKER_LOST_AFTER_SECONDS", default=60)
if WORKER_LOST_AFTER_SECONDS < 3 * WORKER_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "WORKER_LOST_AFTER_SECONDS must be at least three times WORKER_HEARTBEAT_SECONDS."
    )

# Periodic work (Celery beat): every periodic task, in one place.
CELERY_BEAT_SCHEDULE = {
    "publish-scheduled-pages": {
        "task": "knowledgebase.tasks.publish_scheduled_pages",
        "schedule": 60.0,
    },
    "verification-reminders": {
        "task": "community.tasks.send_verification_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "digest-weekly": {
        "task": "community.tasks.send_digests",
        "schedule": crontab(minute=0, hour=DIGEST_WEEKLY_HOUR, day_of_week=DIGEST_WEEKLY_DAY[:3]),
        "args": ["weekly"],
    },
    "digest-daily": {
        "task": "community.tasks.send_digests",
        "schedule": crontab(minute=0, hour=DIGEST_DAILY_HOUR),
        "args": ["daily"],
    },
    "privacy-retention": {
        "task": "community.tasks.apply_retention",
        "schedule": crontab(minute=15),
    },
    # Beat publishes through the broker: a digest start due while Redis was down, or lost with
    # the worker that ran it, is started by this check instead.
    "digest-missed": {"task": "community.tasks.send_missed_digests", "schedule": 60.0},
    # Tasks the web processes could not hand to the broker, and work lost with a worker.
    "outbox-dispatch": {"task": "community.tasks.dispatch_outbox", "schedule": 60.0},
    "event-reminders": {"task": "events.tasks.send_event_reminders", "schedule": 3600.0},
}
