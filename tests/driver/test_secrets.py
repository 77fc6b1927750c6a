"""No credential in any ``repr`` or ``str`` of a driver object.

A repr ends up in a log line, a traceback, a diagnostics dump or a bug report; the
password, the digest login, a Braiins token or session cookie, a Whatsminer token
or salt must never be in it. Every transport and auth object is built here holding
known secrets (and after it used them), then printed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest

from custom_components.asic_miner.driver.context import MinerContext
from custom_components.asic_miner.driver.families.braiins.client_graphql import GraphqlApi
from custom_components.asic_miner.driver.families.braiins.client_rest import RestApi
from custom_components.asic_miner.driver.families.vnish.client import VnishApi
from custom_components.asic_miner.driver.families.whatsminer.client_v2 import (
    WhatsminerToken,
    WhatsminerV2Client,
)
from custom_components.asic_miner.driver.families.whatsminer.client_v3 import WhatsminerV3Client
from custom_components.asic_miner.driver.families.whatsminer.v3 import client_for
from custom_components.asic_miner.driver.models import Credentials
from custom_components.asic_miner.driver.transports.http import HttpClient, HttpReply, TokenAuth
from custom_components.asic_miner.driver.transports.rpc import RpcClient

PASSWORD = "pw-Zq81-secret"
TOKEN = "tok-Hh27-secret"
COOKIE = "cookie-Vv55-secret"
SALT = "salt-Kk03-secret"
SECRETS = (PASSWORD, TOKEN, COOKIE, SALT)


async def _login() -> dict[str, str]:
    return {"Authorization": TOKEN, "Cookie": f"session={COOKIE}"}


async def _objects(session: aiohttp.ClientSession) -> list[Any]:
    credentials = Credentials("root", PASSWORD)
    ctx = MinerContext("127.0.0.1", session, credentials=credentials)
    digest = HttpClient("127.0.0.1", 80, session, digest=("root", PASSWORD))
    digest._middleware = aiohttp.DigestAuthMiddleware("root", PASSWORD)
    auth = TokenAuth(_login)
    await auth.headers()  # holds the token and the cookie now
    v2 = WhatsminerV2Client(lambda: RpcClient("127.0.0.1"), PASSWORD)
    v2._token = WhatsminerToken(host_sign=TOKEN, key=PASSWORD.encode(), issued=0.0)
    v3 = WhatsminerV3Client("127.0.0.1", password=PASSWORD)
    v3._salt = SALT
    vnish = VnishApi(ctx)
    vnish.auth._headers = {"Authorization": f"Bearer {TOKEN}"}
    rest, graphql = RestApi(ctx), GraphqlApi(ctx)
    rest.auth._headers = {"Authorization": TOKEN}
    graphql.auth._headers = {"Cookie": f"session={COOKIE}"}
    return [
        credentials,
        ctx,
        ctx.web(digest=("root", PASSWORD)),
        ctx.rpc(),
        digest,
        auth,
        HttpReply(200, {}, b"{}"),
        v2,
        v2._token,
        v3,
        client_for(ctx),
        vnish,
        rest,
        rest.auth,
        graphql,
        graphql.auth,
    ]


def _texts(obj: Any) -> Iterator[str]:
    yield repr(obj)
    yield str(obj)
    yield f"{obj!r:>10}"


async def test_no_secret_in_any_repr(session: aiohttp.ClientSession) -> None:
    objects = await _objects(session)
    assert len(objects) >= 16
    for obj in objects:
        for text in _texts(obj):
            for secret in SECRETS:
                assert secret not in text, (type(obj).__name__, text)


@pytest.mark.parametrize("secret", [PASSWORD, TOKEN])
def test_secret_is_still_usable(secret: str) -> None:
    """Hidden from repr, not lost: the objects still hold what they need."""
    token = WhatsminerToken(host_sign=secret, key=b"k", issued=0.0)
    assert token.host_sign == secret
    assert secret not in repr(token)
