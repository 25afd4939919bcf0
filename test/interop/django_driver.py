"""Drives a real Django (Debian's python3-django) for the interop tests.

Reads one JSON command on stdin, prints one JSON answer on stdout:
  {"op": "migrate" | "write" | "read" | "sqlmigrate", "engine": "db" | "signed_cookies",
   "secret": "...", "db": {...Django DATABASES entry...}, "data": {...}, "key": "...", "expiry": n}
"""
import json
import sys

import django
from django.conf import settings


def main():
    command = json.loads(sys.stdin.read())
    databases = {"default": command["db"]} if command.get("db") else {}
    settings.configure(
        SECRET_KEY=command["secret"],
        INSTALLED_APPS=["django.contrib.sessions"],
        DATABASES=databases,
        USE_TZ=True,
        SESSION_ENGINE="django.contrib.sessions.backends." + command.get("engine", "db"),
    )
    django.setup()
    from importlib import import_module

    from django.core.management import call_command

    op = command["op"]
    if op == "migrate":
        call_command("migrate", "sessions", verbosity=0)
        return {"ok": True}
    if op == "sqlmigrate":
        from io import StringIO

        out = StringIO()
        call_command("sqlmigrate", "sessions", "0001", stdout=out)
        return {"sql": out.getvalue()}
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if op == "write":
        session = store_class()
        for key, value in command["data"].items():
            session[key] = value
        if "expiry" in command:
            session.set_expiry(command["expiry"])
        session.save()
        return {"key": session.session_key}
    if op == "read":
        session = store_class(command["key"])
        data = dict(session.items())
        return {"data": data, "key": session.session_key, "expiry_age": session.get_expiry_age()}
    raise SystemExit("unknown op " + op)


print(json.dumps(main()))
