"""The cryptography the Whatsminer APIs need: md5-crypt, AES-256-ECB, the v3 token.

Python 3.13 removed the ``crypt`` module and passlib is unmaintained, so md5-crypt is
written here over ``hashlib`` (the FreeBSD ``$1$`` algorithm, checked against the
published vectors in the tests). AES comes from ``cryptography``; ECB with zero padding
is what the firmware expects, not a choice this driver would make for new designs.
Nothing here talks to the network, so every step can be pinned by a test vector.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

MD5_CRYPT_MAGIC = "$1$"
_CRYPT_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
# Byte triples of the final digest, in the order md5-crypt emits them.
_TRIPLES = ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5))
_BLOCK = 16
V3_TOKEN_LENGTH = 8


def _crypt_chars(value: int, count: int) -> str:
    """``count`` characters of the crypt alphabet, lowest six bits first."""
    chars = []
    for _ in range(count):
        chars.append(_CRYPT_ALPHABET[value & 0x3F])
        value >>= 6
    return "".join(chars)


def _salt_of(salt: str) -> str:
    """The salt proper: without the ``$1$`` prefix, up to the first ``$``, at most 8."""
    return salt.removeprefix(MD5_CRYPT_MAGIC).split("$", 1)[0][:8]


def md5_crypt(password: str | bytes, salt: str) -> str:
    """The full ``$1$<salt>$<hash>`` string, as ``openssl passwd -1`` prints it."""
    secret = password.encode() if isinstance(password, str) else password
    salt_text = _salt_of(salt)
    salt_bytes = salt_text.encode()

    alternate = hashlib.md5(secret + salt_bytes + secret).digest()
    buffer = bytearray(secret + MD5_CRYPT_MAGIC.encode() + salt_bytes)
    remaining = len(secret)
    while remaining > 0:
        buffer += alternate[: min(16, remaining)]
        remaining -= 16
    bits = len(secret)
    while bits:
        buffer += b"\x00" if bits & 1 else secret[:1]
        bits >>= 1
    digest = hashlib.md5(buffer).digest()

    # 1000 rounds to make guessing slow (slow in 1994; today it only costs us time).
    for rnd in range(1000):
        odd = rnd % 2 == 1
        data = secret if odd else digest
        if rnd % 3:
            data += salt_bytes
        if rnd % 7:
            data += secret
        data += digest if odd else secret
        digest = hashlib.md5(data).digest()

    encoded = "".join(
        _crypt_chars(digest[a] << 16 | digest[b] << 8 | digest[c], 4) for a, b, c in _TRIPLES
    )
    encoded += _crypt_chars(digest[11], 2)
    return f"{MD5_CRYPT_MAGIC}{salt_text}${encoded}"


def md5_crypt_hash(password: str | bytes, salt: str) -> str:
    """Only the 22-character hash part: the Whatsminer schemes never use the rest."""
    return md5_crypt(password, salt).split("$")[3]


# -- AES-256-ECB, zero padded, base64 -------------------------------------------------


def _zero_pad(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % _BLOCK)


def aes_encrypt(key: bytes, plaintext: bytes) -> str:
    """Zero-pad, encrypt, base64 (standard alphabet, no line breaks)."""
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    sealed = encryptor.update(_zero_pad(plaintext)) + encryptor.finalize()
    return base64.b64encode(sealed).decode("ascii")


def aes_decrypt(key: bytes, text: str) -> bytes:
    """Reverse of :func:`aes_encrypt`; raises ``ValueError`` on bad base64 or length."""
    sealed = base64.b64decode(text, validate=False)
    if not sealed or len(sealed) % _BLOCK:
        raise ValueError("ciphertext is not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    return (decryptor.update(sealed) + decryptor.finalize()).rstrip(b"\x00")


# -- API v2 (port 4028) ---------------------------------------------------------------


def v2_host_passwd_md5(password: str, salt: str) -> str:
    """The password proof the v2 API derives its AES key from."""
    return md5_crypt_hash(password, salt)


def v2_host_sign(host_passwd_md5: str, time: str, newsalt: str) -> str:
    """The per-token signature sent as ``token`` inside every privileged command."""
    return md5_crypt_hash(host_passwd_md5 + time, newsalt)


def v2_aes_key(host_passwd_md5: str) -> bytes:
    """SHA-256 of the hash text, as 32 raw bytes (not the hex string)."""
    return hashlib.sha256(host_passwd_md5.encode()).digest()


# -- API v3 (port 4433) ---------------------------------------------------------------


def v3_digest(cmd: str, password: str, salt: str, ts: int) -> bytes:
    """SHA-256 over ``cmd + password + salt + ts``: the token source and the param key."""
    return hashlib.sha256(f"{cmd}{password}{salt}{ts}".encode()).digest()


def v3_token(digest: bytes) -> str:
    """The first eight characters of the digest's standard base64."""
    return base64.b64encode(digest).decode("ascii")[:V3_TOKEN_LENGTH]


def v3_encrypt_param(digest: bytes, param: Any) -> str:
    """Encrypt a ``set.miner.pools``-style parameter: compact JSON, AES key = the digest."""
    text = json.dumps(param, separators=(",", ":"))
    return aes_encrypt(digest, text.encode())
