"""Every route of the console's application, found by walking `app.routes` (so a route added by any
area module is checked without being listed), with a concrete path to request for each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.routing import Route

_PARAMETER = re.compile(r"\{(\w+)(?::(\w+))?\}")
#: An id that names nothing: a handler that got past its checks answers 404, never changes a row.
MISSING_NUMBER = "987654321"
MISSING_NAME = "no-such-thing"


@dataclass(frozen=True)
class Endpoint:
    method: str
    #: The route's pattern, as written in its module ("/accounts/{account_id:int}/role").
    pattern: str
    #: A path that matches it.
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.pattern}"


def concrete(pattern: str) -> str:
    def value(match: re.Match[str]) -> str:
        return MISSING_NUMBER if match.group(2) in {"int", "float"} else MISSING_NAME

    return _PARAMETER.sub(value, pattern)


def endpoints(app: Starlette) -> list[Endpoint]:
    """Each method of each HTTP route of `app` (HEAD aside), mounts (the static files) left out."""
    found: list[Endpoint] = []
    for route in app.routes:
        if not isinstance(route, Route):
            continue
        for method in sorted(route.methods or {"GET"}):
            if method != "HEAD":
                found.append(Endpoint(method, route.path, concrete(route.path)))
    return found
