"""HTTP digest authentication, the client side (RFC 7616, and RFC 2617's older forms).

Stock Antminer and Elphapex web servers (lighttpd) protect their CGI with it. The
challenge of a 401 is kept and answered on every later request (``nc`` counting up) for
as long as the server accepts its nonce, so a kept-alive poll costs one round trip, not
two; a ``stale=true`` challenge or a new nonce is taken up and the request sent once
more (``DigestState.take``).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

_PARAM: Final = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?')
MAX_CHALLENGE_CHARS: Final = 2048

_HASHES: Final[dict[str, Callable[[bytes], str]]] = {
    "MD5": lambda data: hashlib.md5(data, usedforsecurity=False).hexdigest(),
    "SHA-256": lambda data: hashlib.sha256(data).hexdigest(),
}


@dataclass(frozen=True, slots=True)
class Challenge:
    """What a server's ``WWW-Authenticate: Digest ...`` asked for."""

    realm: str
    nonce: str
    algorithm: str = "MD5"
    qop: str | None = None  # "auth", "auth-int", or None (RFC 2069)
    opaque: str | None = None
    stale: bool = False


def parse_challenge(header: str) -> Challenge | None:
    """The digest challenge in a ``WWW-Authenticate`` value, ``None`` if it has none we can answer."""
    header = header[:MAX_CHALLENGE_CHARS]
    if not header.isascii() and not _encodable(header):
        return None  # bytes that are not UTF-8 (kept as surrogates) cannot be hashed or sent
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() != "digest":
        return None
    params: dict[str, str] = {}
    for match in _PARAM.finditer(rest):
        quoted, bare = match.group(2), match.group(3)
        value = bare if quoted is None else re.sub(r"\\(.)", r"\1", quoted)
        params.setdefault(match.group(1).lower(), value)
    nonce = params.get("nonce")
    algorithm = params.get("algorithm", "MD5").upper()
    if not nonce or algorithm.removesuffix("-SESS") not in _HASHES:
        return None
    offered = {q.strip().lower() for q in params["qop"].split(",")} if "qop" in params else None
    if offered is None:
        qop = None
    elif "auth" in offered:
        qop = "auth"
    elif "auth-int" in offered:
        qop = "auth-int"
    else:
        return None
    return Challenge(
        realm=params.get("realm", ""),
        nonce=nonce,
        algorithm=algorithm,
        qop=qop,
        opaque=params.get("opaque"),
        stale=params.get("stale", "").lower() == "true",
    )


@dataclass(slots=True)
class DigestState:
    """One client's credentials and the challenge it answers, with its nonce count."""

    username: str
    password: str = field(repr=False)
    challenge: Challenge | None = None
    count: int = 0

    def take(self, header: str, sent_nonce: str | None) -> bool:
        """Keep a 401's challenge; True when the request is worth sending once more.

        It is when nothing was sent (the first request), when the server says the nonce
        was only stale, or when it rotated the nonce; a refusal of the nonce just used
        is a wrong password.
        """
        challenge = parse_challenge(header)
        if challenge is None:
            return False
        retry = sent_nonce is None or challenge.stale or challenge.nonce != sent_nonce
        if self.challenge is None or challenge.nonce != self.challenge.nonce:
            self.count = 0
        self.challenge = challenge
        return retry

    def authorization(self, method: str, uri: str, body: bytes) -> str:
        """The ``Authorization`` value answering the kept challenge (``nc`` counts up)."""
        challenge = self.challenge
        assert challenge is not None
        algorithm = challenge.algorithm
        digest = _HASHES[algorithm.removesuffix("-SESS")]
        self.count += 1
        nc = f"{self.count:08x}"
        cnonce = secrets.token_hex(8)
        ha1 = digest(f"{self.username}:{challenge.realm}:{self.password}".encode())
        if algorithm.endswith("-SESS"):
            ha1 = digest(f"{ha1}:{challenge.nonce}:{cnonce}".encode())
        a2 = f"{method}:{uri}"
        if challenge.qop == "auth-int":
            a2 += ":" + digest(body)
        ha2 = digest(a2.encode())
        if challenge.qop is None:
            response = digest(f"{ha1}:{challenge.nonce}:{ha2}".encode())
        else:
            response = digest(
                f"{ha1}:{challenge.nonce}:{nc}:{cnonce}:{challenge.qop}:{ha2}".encode()
            )
        parts = [
            f'username="{_quote(self.username)}"',
            f'realm="{_quote(challenge.realm)}"',
            f'nonce="{_quote(challenge.nonce)}"',
            f'uri="{_quote(uri)}"',
            f"algorithm={algorithm}",
            f'response="{response}"',
        ]
        if challenge.qop is not None:
            parts += [f"qop={challenge.qop}", f"nc={nc}", f'cnonce="{cnonce}"']
        if challenge.opaque is not None:
            parts.append(f'opaque="{_quote(challenge.opaque)}"')
        return "Digest " + ", ".join(parts)


def _encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
