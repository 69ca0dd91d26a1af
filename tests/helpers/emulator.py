"""The platform emulator mounted in-process, with connectors signed in against it.

    async with mounted_emulator(seed=3) as env:
        connector = await env.signed_in("pdd")

Everything runs inside one task, so the WebSocket transport's task group is entered
and left where it should be.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import AsyncIterator

import httpx
from httpx_ws.transport import ASGIWebSocketTransport

from workstation.shops.base import ShopConnector
from workstation.shops.emulator import create_app
from workstation.shops.emulator.world import World
from workstation.shops.registry import connector_for, credentials_from_account

BASE_URL = "http://emulator.test"


@dataclass
class EmulatorEnv:
    app: object
    world: World
    transport: ASGIWebSocketTransport
    accounts: list[dict]
    connectors: list = field(default_factory=list)

    def account(self, platform: str, index: int = 0) -> dict:
        return [a for a in self.accounts if a["platform"] == platform][index]

    def connector(self, platform: str, *, shared_clock: bool = True) -> ShopConnector:
        connector = connector_for(platform, transport=self.transport,
                                  clock=self.world.now if shared_clock else None)
        self.connectors.append(connector)
        return connector

    async def signed_in(self, platform: str, index: int = 0) -> ShopConnector:
        connector = self.connector(platform)
        await connector.sign_in(credentials_from_account(self.account(platform, index)))
        return connector


@contextlib.asynccontextmanager
async def mounted_emulator(seed: int = 3, chaos: float = 0.0, buyers_per_minute: float = 0.0,
                           **options) -> AsyncIterator[EmulatorEnv]:
    app = create_app(seed=seed, chaos=chaos, buyers_per_minute=buyers_per_minute, **options)
    async with ASGIWebSocketTransport(app) as transport:
        client = httpx.AsyncClient(transport=transport, base_url=BASE_URL)
        response = await client.get("/emulator/accounts")
        env = EmulatorEnv(app=app, world=app.state.emulator, transport=transport, accounts=response.json())
        try:
            yield env
        finally:
            for connector in env.connectors:
                await connector.aclose()
