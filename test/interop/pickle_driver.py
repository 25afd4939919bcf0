"""Real CPython pickle for the pickle tests (Debian's /usr/bin/python3).

stdin: {"protocol": 5, "values": [tagged, ...]} -> stdout: {"pickles": ["hex", ...]}
stdin: {"load": ["hex", ...]} -> stdout: {"values": [tagged or {"error": "..."}]}

Tagged values: {"t": "none"|"bool"|"int"|"float"|"str"|"bytes"|"list"|"tuple"|"dict"|"datetime"|"ref", ...}.
Containers may carry "id"; {"t": "ref", "id": n} is the same object again (Python's memo keys on
identity). Equal strs are made one object (as if interned), which is what sessionscope's pickler
assumes for strings, since JS strings have no identity.
"""
import datetime
import json
import math
import pickle
import sys


def build(tagged, objects, strs):
    t = tagged["t"]
    if t == "none":
        return None
    if t == "bool":
        return bool(tagged["v"])
    if t == "int":
        return int(tagged["v"])
    if t == "float":
        v = tagged["v"]
        return float(v) if isinstance(v, str) else float(v)
    if t == "str":
        return strs.setdefault(tagged["v"], tagged["v"])
    if t == "bytes":
        return bytes.fromhex(tagged["v"])
    if t == "ref":
        return objects[tagged["id"]]
    if t == "datetime":
        y, mo, d, h, mi, s, us = tagged["v"]
        tz = tagged.get("tz")
        tzinfo = None if tz is None else datetime.timezone(datetime.timedelta(seconds=tz))
        if tz == 0:
            tzinfo = datetime.timezone.utc
        return datetime.datetime(y, mo, d, h, mi, s, us, tzinfo=tzinfo)
    if t == "list":
        out = []
        if "id" in tagged:
            objects[tagged["id"]] = out
        out.extend(build(v, objects, strs) for v in tagged["v"])
        return out
    if t == "tuple":
        out = tuple(build(v, objects, strs) for v in tagged["v"])
        if "id" in tagged:
            objects[tagged["id"]] = out
        return out
    if t == "dict":
        out = {}
        if "id" in tagged:
            objects[tagged["id"]] = out
        for k, v in tagged["v"]:
            out[build(k, objects, strs)] = build(v, objects, strs)
        return out
    raise ValueError("unknown tag " + t)


def describe(value):
    if value is None:
        return {"t": "none"}
    if isinstance(value, bool):
        return {"t": "bool", "v": value}
    if isinstance(value, int):
        return {"t": "int", "v": str(value)}
    if isinstance(value, float):
        v = value if math.isfinite(value) else repr(value)
        return {"t": "float", "v": v}
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, bytes):
        return {"t": "bytes", "v": value.hex()}
    if isinstance(value, list):
        return {"t": "list", "v": [describe(v) for v in value]}
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [describe(v) for v in value]}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[describe(k), describe(v)] for k, v in value.items()]}
    if isinstance(value, datetime.datetime):
        return {"t": "datetime", "iso": value.isoformat()}
    raise ValueError("cannot describe " + type(value).__name__)


def main():
    command = json.loads(sys.stdin.read())
    if "load" in command:
        out = []
        for text in command["load"]:
            try:
                out.append(describe(pickle.loads(bytes.fromhex(text))))
            except Exception as error:  # noqa: BLE001 - reported back to the test
                out.append({"error": type(error).__name__})
        return {"values": out}
    protocol = command.get("protocol", 5)
    return {"pickles": [pickle.dumps(build(v, {}, {}), protocol).hex() for v in command["values"]]}


if __name__ == "__main__":
    print(json.dumps(main()))
