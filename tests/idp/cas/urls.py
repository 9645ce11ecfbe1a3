"""CAS at /cas/ (login, logout, p3/serviceValidate, ...), as a real deployment mounts it."""

from django.urls import include, path

urlpatterns = [
    path("cas/", include("cas_server.urls", namespace="cas_server")),
]
