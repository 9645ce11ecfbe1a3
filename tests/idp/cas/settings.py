"""Settings of the throwaway Django project that runs django-cas-server for the single sign-on tests.

tests/src/idp/cas.rs copies this folder into a temporary directory as the package `daotao_cas` and
runs `serve.py` there; `DAOTAO_CAS_DIR` names that directory (the database and users.json live in it).
"""

import os

DIR = os.environ["DAOTAO_CAS_DIR"]

SECRET_KEY = "daotao-test-cas-server-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# Only what django-cas-server needs: no admin, no django.contrib.auth (users come from users.json),
# so that `migrate` has little to do and the server starts fast.
INSTALLED_APPS = [
    "django.contrib.sessions",
    "django.contrib.messages",
    "cas_server",
]

MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

ROOT_URLCONF = "daotao_cas.urls"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(DIR, "cas.sqlite3"),
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The server under test also runs on 127.0.0.1, and browsers share cookies across ports: names of
# its own keep CAS's session (its ticket-granting cookie) and CSRF cookies apart from the server's.
SESSION_COOKIE_NAME = "cas_sessionid"
CSRF_COOKIE_NAME = "cas_csrftoken"
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The users and their attributes, read from users.json by daotao_cas.users.JsonFileUser.
CAS_AUTH_CLASS = "daotao_cas.users.JsonFileUser"
CAS_USERS_FILE = os.path.join(DIR, "users.json")
# No calls to PyPI from a test.
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_SHOW_POWERED = False
# Single-logout requests go to a test's own HTTP server: fail fast if it does not answer.
CAS_SLO_TIMEOUT = 5

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "cas_server": {"handlers": ["stderr"], "level": "INFO"},
        "django": {"handlers": ["stderr"], "level": "INFO"},
    },
}
