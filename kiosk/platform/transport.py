"""A requests session whose connections arm the current step's watch before waiting for an answer."""

from __future__ import annotations

import logging
import re
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from kiosk.platform.deadline import SocketWatch, current_watch

_QUERY = re.compile(r"\?[^\s\"]*")
_NUMBERED = re.compile(r"(/v1/(?:cases|appointments|licences)/)([^/?\s\"]+)")


class _NoResidentInUrllib3Logs(logging.Filter):
    """urllib3 logs each request's full path at DEBUG: a query code and a case number with it.
    Its records lose their query strings and numbers before any handler sees them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/v1/" in message:
            record.msg = _NUMBERED.sub(r"\1****", _QUERY.sub("?****", message))
            record.args = ()
        return True


logging.getLogger("urllib3.connectionpool").addFilter(_NoResidentInUrllib3Logs())


def _arm(connection: HTTPConnection) -> None:
    watch: SocketWatch | None = getattr(current_watch, "watch", None)
    if watch is not None:
        watch.arm(connection.sock)


class _WatchedHTTPConnection(HTTPConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _arm(self)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _arm(self)
        return super().getresponse(*args, **kwargs)


class _WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _WatchedHTTPConnectionPool,
            "https": _WatchedHTTPSConnectionPool,
        }


def watched_session() -> requests.Session:
    """A session for the gateway: no proxies or netrc from the environment, watched connections."""
    session = requests.Session()
    session.trust_env = False  # a site's proxy variables must not reroute signed calls silently
    adapter = _WatchedAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


__all__ = ["watched_session"]
