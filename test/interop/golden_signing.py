"""Prints the golden vectors of test/sessions/signing-django.test.ts from a real Django.

Run with Debian's Django: /usr/bin/python3 test/interop/golden_signing.py
The clock is pinned at 1700000000 so the timestamps (base62 "1r31eq") are reproducible.
"""
import json
import time
import zlib

import django
from django.conf import settings

settings.configure(SECRET_KEY="test-secret-key", DEFAULT_HASHING_ALGORITHM="sha256")
django.setup()

from django.core import signing  # noqa: E402

time.time = lambda: 1700000000.0
out = {"django": django.get_version(), "zlib": zlib.ZLIB_RUNTIME_VERSION}

algorithms = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512",
              "sha3_224", "sha3_256", "sha3_384", "sha3_512", "blake2b", "blake2s"]
out["sign_hello"] = {a: signing.Signer(key="predictable-secret", algorithm=a).sign("hello")
                     for a in algorithms}
try:
    signing.Signer(key="predictable-secret", algorithm="whatever").sign("hello")
except Exception as error:  # InvalidAlgorithm
    out["invalid_algorithm"] = [type(error).__name__, str(error)]
out["sign_int"] = signing.Signer(key="predictable-secret").sign(123)
out["sign_float"] = signing.Signer(key="predictable-secret").sign(1.5)

values = {
    "cafe": "café",
    "quote": "’",
    "astral": "😀 Zoë",
    "controls": "a\u007f\u0000\n\t\"\\/",
    "mixed": {"name": "Zoë ’😀", "n": [1, 2.5, None, True, False], "nested": {"k": "é"}},
    "list": ["a", "list"],
    "number": 1e-05,
}
out["dumps"] = {k: signing.dumps(v) for k, v in values.items()}
out["dumps_compressed"] = {k: signing.dumps(v, compress=True) for k, v in values.items()}
big = {"cart": [{"sku": "A-%d" % i, "qty": i % 3, "name": "Produit numéro %d" % i} for i in range(12)]}
out["dumps_big_compressed"] = signing.dumps(big, compress=True)
out["timestamp_unsign"] = signing.TimestampSigner(key="predictable-secret").sign("foo")

sessions = []
session_salt = "django.contrib.sessions.SessionStore"
for data in [
    {"_auth_user_id": "42", "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
     "_auth_user_hash": "a3f5e8c2d1b4a6f7e9c0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4",
     "cart": [{"sku": "A-1", "qty": 2}, {"sku": "B-7", "qty": 1}], "locale": "en-GB", "seen": 17},
    {"counter": 12345, "flash": ["Saved.", "Saved.", "Saved."], "theme": "dark", "tz": "Europe/Paris"},
    {"k%d" % i: "value %d" % (i * 7 % 5) for i in range(40)},
]:
    sessions.append([data, signing.dumps(data, salt=session_salt, compress=True)])
out["sessions"] = sessions
print(json.dumps(out, indent=2, ensure_ascii=True))
