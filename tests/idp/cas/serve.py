"""Starts django-cas-server for a test in one process: creates the database, allows every service
(releasing all attributes, with single logout to a test's URL when asked), then serves HTTP on a free
127.0.0.1 port and prints `listening on PORT` on stdout once the socket accepts connections.

Run from the temporary directory that holds the package `daotao_cas` (this folder's copy), users.json
and config.json ({"single_logout_url": null or "http://...", "cache_dir": "..."}); `DAOTAO_CAS_DIR`
names that directory.

Made to start fast, since tests start it often: one process instead of `manage.py migrate` then
`manage.py runserver` (Django is imported once), and the migrated empty database is kept in
`cache_dir`, one file per version of Django and django-cas-server, and copied instead of migrating again.
"""

import hashlib
import importlib.metadata
import json
import os
import shutil
import sys

DIR = os.environ["DAOTAO_CAS_DIR"]
sys.path.insert(0, DIR)
os.environ["DJANGO_SETTINGS_MODULE"] = "daotao_cas.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from cas_server.models import ReplaceAttributName, ServicePattern  # noqa: E402

with open(os.path.join(DIR, "config.json"), encoding="utf-8") as f:
    CONFIG = json.load(f)


def migrated_database():
    """Gives the database its tables: a copy of the cached empty database, or `migrate` (then cached)."""
    database = settings.DATABASES["default"]["NAME"]
    versions = [django.__version__, importlib.metadata.version("django-cas-server"), *settings.INSTALLED_APPS]
    key = hashlib.sha256("\n".join(versions).encode()).hexdigest()[:16]
    cache_dir = CONFIG["cache_dir"]
    cached = os.path.join(cache_dir, f"cas-{key}.sqlite3")
    if os.path.exists(cached):
        shutil.copyfile(cached, database)
        return
    call_command("migrate", verbosity=0, interactive=False)
    os.makedirs(cache_dir, exist_ok=True)
    # Another test may be caching the same file: each writes its own copy, and the rename is atomic.
    partial = f"{cached}.{os.getpid()}"
    shutil.copyfile(database, partial)
    os.replace(partial, cached)


migrated_database()

slo_url = CONFIG.get("single_logout_url")
pattern = ServicePattern.objects.create(
    pos=0,
    name="every service",
    pattern="^.*$",
    single_log_out=slo_url is not None,
    single_log_out_callback=slo_url or "",
)
ReplaceAttributName.objects.create(name="*", service_pattern=pattern)

httpd = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler, ipv6=False)
httpd.set_app(get_wsgi_application())
print(f"listening on {httpd.server_address[1]}", flush=True)
httpd.serve_forever()
