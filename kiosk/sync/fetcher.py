"""The HTTP fetcher of the kiosk's TUF client, counting what crossed the network."""

from __future__ import annotations

from collections.abc import Iterator

from tuf.ngclient.urllib3_fetcher import Urllib3Fetcher


class CountingFetcher(Urllib3Fetcher):
    """Counts the bytes that crossed the network (the benchmark and the status report them)."""

    def __init__(self) -> None:
        super().__init__(app_user_agent="weihai-kiosk")
        self.bytes = 0

    def _fetch(self, url: str) -> Iterator[bytes]:
        for chunk in super()._fetch(url):
            self.bytes += len(chunk)
            yield chunk
