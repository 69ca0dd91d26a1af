"""Real shops are authorized in the agent's own browser; only emulator accounts post a password."""

from __future__ import annotations

import dataclasses
import threading
import webbrowser

import httpx
import pytest

from workstation.shops.registry import connector_for, credentials_from_account
from workstation.shops.emulator_cli import start_emulator_in_thread


@pytest.fixture(scope="module")
def emulator():
    handle = start_emulator_in_thread(seed=11, buyers_per_minute=0, realtime=False)
    yield handle
    handle.stop()


@pytest.mark.asyncio
async def test_browser_approval_opens_the_authorize_page_and_takes_the_code_from_the_redirect(emulator, monkeypatch):
    account = next(a for a in emulator.accounts() if a["platform"] == "kuaishou")
    credentials = dataclasses.replace(credentials_from_account(account), approval="browser")
    opened: list[str] = []

    def agent_in_the_browser(url: str, *args, **kwargs) -> bool:
        # What the agent does on the platform's page: logs in and clicks 授权; the browser follows
        # the redirect to our loopback listener. Done on a thread, as a browser is another program.
        opened.append(url)

        def approve():
            page = httpx.post(url, data={"login": account["login"], "password": account["password"]})
            httpx.get(page.headers["location"])

        threading.Thread(target=approve, daemon=True).start()
        return True

    monkeypatch.setattr(webbrowser, "open", agent_in_the_browser)
    connector = connector_for("kuaishou")
    try:
        tokens = await connector.sign_in(credentials)
    finally:
        await connector.aclose()
    assert tokens.access_token
    assert len(opened) == 1 and opened[0].startswith(emulator.base_url) and "redirect_uri=" in opened[0]
    assert account["password"] not in opened[0]  # the password is typed by the agent, never put in a URL


@pytest.mark.asyncio
async def test_when_no_browser_can_be_opened_the_agent_is_told(emulator, monkeypatch):
    account = next(a for a in emulator.accounts() if a["platform"] == "jd")
    credentials = dataclasses.replace(credentials_from_account(account), approval="browser")
    monkeypatch.setattr(webbrowser, "open", lambda *a, **k: False)
    connector = connector_for("jd")
    try:
        with pytest.raises(Exception) as caught:
            await connector.sign_in(credentials)
    finally:
        await connector.aclose()
    assert "浏览器" in str(caught.value)


def test_accounts_added_by_hand_approve_in_the_browser():
    from workstation.domain.accounts import ShopAccount
    from workstation.domain.platforms import Platform
    from workstation.secrets import SecretStore
    from workstation.sync.credentials import load_credentials

    account = ShopAccount(Platform.PDD, "1", "店", "kf", extra={"gateway": "https://gw.example", "app_key": "k"})
    SecretStore().set(account.key, "app_secret", "s")
    assert load_credentials(SecretStore(), account).approval == "browser"
