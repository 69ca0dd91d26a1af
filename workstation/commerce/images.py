"""Product and order-item pictures for the side panel's thumbnails, fetched over HTTP(S).

`SidePanel(image_fetcher=HttpImageFetcher())`; without a fetcher the panel keeps its
placeholders. Pictures are small; anything large or not an image is refused.
"""

from __future__ import annotations

import httpx

MAX_BYTES = 2 * 1024 * 1024


class HttpImageFetcher:
    def __init__(self, *, transport: httpx.AsyncBaseTransport | None = None, timeout: float = 10.0):
        self._client = httpx.AsyncClient(transport=transport, timeout=timeout, follow_redirects=True)

    async def __call__(self, url: str) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"not a picture address: {url!r}")
        response = await self._client.get(url)
        response.raise_for_status()
        if not response.headers.get("content-type", "image/").startswith("image/") or len(response.content) > MAX_BYTES:
            raise ValueError(f"not a small picture: {url!r}")
        return response.content

    async def aclose(self) -> None:
        await self._client.aclose()
