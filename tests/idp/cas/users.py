"""The CAS users of a test: an authentication class of django-cas-server (CAS_AUTH_CLASS) that reads
users.json, written by tests/src/idp/cas.rs: {"username": {"password": "...", "attributes": {...}}},
where an attribute's value is a string, or a list of strings for an attribute with several values."""

import json

from cas_server.auth import AuthUser
from django.conf import settings

with open(settings.CAS_USERS_FILE, encoding="utf-8") as f:
    USERS = json.load(f)


class JsonFileUser(AuthUser):
    """A user of users.json; an unknown username never passes the password test."""

    def __init__(self, username):
        super().__init__(username)
        self.user = USERS.get(username)

    def test_password(self, password):
        return self.user is not None and self.user["password"] == password

    def attributs(self):
        return dict(self.user["attributes"]) if self.user is not None else {}
