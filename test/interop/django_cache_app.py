"""A small real Django app on Redis sessions for the cache interop tests (Debian's Django 3.2 and
python3-django-redis 5.2): the admin to log in through, and one view that shows and edits the
session. Used as both the settings module and the URLconf.

stdin: {"op": "login" | "view", "engine": "cache" | "cached_db", "redis": "redis://…/13",
        "sqlite": "/tmp/…", "prefix": "...", "key": "...", "set": {...}, "expiry_seconds": n}
stdout: one JSON answer.
"""
import datetime
import json
import os
import sys

COMMAND = json.loads(sys.stdin.read())

SECRET_KEY = "interop-secret-key-not-for-production"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "django_cache_app"
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": COMMAND["sqlite"]}}
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": COMMAND["redis"],
        "KEY_PREFIX": COMMAND.get("prefix", ""),
        "VERSION": COMMAND.get("version", 1),
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends." + COMMAND.get("engine", "cache")
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

from django.http import JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


def plain(value):
    if isinstance(value, (datetime.datetime, datetime.date)):
        return {"datetime": value.isoformat()}
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@csrf_exempt
def session_view(request):
    """Shows the session (and who is logged in); a POSTed JSON object is set into it first."""
    if request.method == "POST":
        for key, value in json.loads(request.body or b"{}").items():
            request.session[key] = value
    if "expiry_seconds" in request.GET:
        request.session.set_expiry(datetime.timedelta(seconds=int(request.GET["expiry_seconds"])))
    return JsonResponse(
        {
            "user": request.user.username if request.user.is_authenticated else None,
            "data": plain(dict(request.session.items())),
            "expiry_age": request.session.get_expiry_age(),
        }
    )


urlpatterns = [path("session/", session_view)]


def main():
    os.environ["DJANGO_SETTINGS_MODULE"] = "django_cache_app"
    import django

    django.setup()
    from django.contrib import admin

    urlpatterns.append(path("admin/", admin.site.urls))  # needs the app registry: after setup()
    from django.core.management import call_command
    from django.test import Client

    op = COMMAND["op"]
    client = Client()
    if op == "login":
        call_command("migrate", verbosity=0)
        from django.contrib.auth.models import User

        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.com", "interop-password")
        page = client.get("/admin/login/")
        response = client.post(
            "/admin/login/",
            {"username": "admin", "password": "interop-password", "next": "/admin/"},
        )
        return {
            "login_page": page.status_code,
            "status": response.status_code,
            "location": response.get("Location"),
            "key": client.cookies["sessionid"].value,
            "user_id": str(User.objects.get(username="admin").pk),
        }
    if op == "view":
        client.cookies["sessionid"] = COMMAND["key"]
        query = {"expiry_seconds": COMMAND["expiry_seconds"]} if "expiry_seconds" in COMMAND else {}
        url = "/session/" + ("?expiry_seconds=%d" % query["expiry_seconds"] if query else "")
        response = client.post(url, json.dumps(COMMAND.get("set", {})), content_type="application/json")
        out = json.loads(response.content)
        out["status"] = response.status_code
        admin = client.get("/admin/")
        out["admin_status"] = admin.status_code
        cookie = client.cookies.get("sessionid")
        out["key"] = cookie.value if cookie else None
        return out
    raise SystemExit("unknown op " + op)


if __name__ == "__main__":
    # This file is the settings module and the URLconf: importing it again would re-read stdin.
    sys.modules["django_cache_app"] = sys.modules["__main__"]
    print(json.dumps(main()))
