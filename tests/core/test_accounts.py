"""Account rules, and secrets kept in the keyring only."""

from __future__ import annotations

import asyncio

import pytest

from workstation.domain.accounts import AccountInvalid, ShopAccount, validate_account
from workstation.domain.platforms import Platform
from workstation.secrets import SecretStore, SecretsUnavailable


def account(**changes):
    base = ShopAccount(Platform.PDD, "1001", "鲜果园", "鲜果园:小王")
    return base.with_changes(**changes)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"shop_id": "  "}, "shop_id", "店铺ID不能为空"),
        ({"display_name": ""}, "display_name", "店铺名称不能为空"),
        ({"login": ""}, "login", "登录账号不能为空"),
        ({"login": "a b"}, "login", "不能包含空格"),
        ({"colour": "red"}, "colour", "#RRGGBB"),
        ({"display_name": "店" * 61}, "display_name", "最长 60"),
    ],
)
def test_invalid_accounts_name_the_field_in_chinese(changes, field, message):
    with pytest.raises(AccountInvalid) as caught:
        validate_account(account(**changes), [])
    assert message in caught.value.problems[field]


def test_the_same_login_on_the_same_shop_is_a_duplicate_but_another_platform_is_not():
    existing = [account(id=1)]
    with pytest.raises(AccountInvalid) as caught:
        validate_account(account(), existing)
    assert "已经添加过了" in caught.value.problems["login"]
    validate_account(account(platform=Platform.JD), existing)
    validate_account(account(id=1, display_name="改名"), existing)  # editing itself is fine


def test_unknown_platform_is_refused_with_the_choices():
    with pytest.raises(ValueError) as caught:
        Platform.parse("亚马逊")
    assert "未知平台" in str(caught.value) and "pdd" in str(caught.value)
    assert Platform.parse("天猫") is Platform.TAOBAO
    assert Platform.parse("KUAISHOU") is Platform.KUAISHOU


def test_secret_store_round_trip(memory_keyring):
    store = SecretStore()
    store.set("pdd:1:me", "password", "p@ss")
    assert store.get("pdd:1:me", "password") == "p@ss"
    store.delete("pdd:1:me", "password")
    store.delete("pdd:1:me", "password")  # forgetting twice is fine
    assert store.get("pdd:1:me", "password") is None


def test_a_missing_keyring_refuses_to_save_instead_of_writing_plaintext(memory_keyring):
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())
    with pytest.raises(SecretsUnavailable) as caught:
        SecretStore().set("k", "password", "x")
    assert "钥匙串" in str(caught.value)


def test_a_refusing_keyring_is_reported(memory_keyring):
    memory_keyring.refuse = True
    with pytest.raises(SecretsUnavailable):
        SecretStore().set("k", "password", "x")


def run(coro):
    return asyncio.run(coro)


def test_saving_an_account_puts_the_password_in_the_keyring_and_nowhere_else(services, memory_keyring):
    async def scenario():
        saved = await services.accounts.save(account(), {"password": "S3cret-密码-xyz", "app_secret": "APPSECRET-123"})
        await services.accounts.save(account(shop_id="1002", login="x"), {"password": "another-S3cret"})
        return saved

    saved = run(scenario())
    services.store.close()
    assert memory_keyring.entries[("workstation", f"{saved.key}#password")] == "S3cret-密码-xyz"
    for path in services.paths.root.rglob("*"):
        if path.is_file():
            blob = path.read_bytes()
            for secret in ("S3cret-密码-xyz", "APPSECRET-123", "another-S3cret"):
                assert secret.encode() not in blob, f"{secret} leaked into {path.name}"


def test_a_new_account_needs_a_password(services):
    with pytest.raises(AccountInvalid) as caught:
        run(services.accounts.save(account(), {}))
    assert "密码" in caught.value.problems["password"]


def test_when_the_keyring_refuses_nothing_is_saved(services, memory_keyring):
    memory_keyring.refuse = True
    with pytest.raises(SecretsUnavailable):
        run(services.accounts.save(account(), {"password": "x"}))
    memory_keyring.refuse = False
    assert run(services.accounts.list()) == []


def test_removing_an_account_forgets_its_secrets(services, memory_keyring):
    async def scenario():
        saved = await services.accounts.save(account(), {"password": "pw", "app_secret": "as"})
        await services.accounts.remove(saved)
        return await services.accounts.list()

    assert run(scenario()) == []
    assert memory_keyring.entries == {}


def test_changing_the_login_carries_the_secret_to_the_new_key(services, memory_keyring):
    async def scenario():
        saved = await services.accounts.save(account(), {"password": "pw"})
        return saved, await services.accounts.save(saved.with_changes(login="鲜果园:小李"), {"password": ""})

    old, new = run(scenario())
    store = SecretStore()
    assert store.get(new.key, "password") == "pw"
    assert store.get(old.key, "password") is None
