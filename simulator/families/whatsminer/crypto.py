"""The miner side of the Whatsminer cryptography, written apart from the driver's.

The simulator must not import the driver: if both sides shared one md5-crypt, a bug
in it would pass every test. This module follows the algorithm descriptions (FreeBSD
md5crypt as in ``crypt(3)``, MicroBT's API documents) in its own way; the published
test vectors pin both implementations to the real thing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import math

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_ITOA64 = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SALT_CHARS = _ITOA64.decode()


def _to64(value: int, length: int) -> bytes:
    out = bytearray()
    while length > 0:
        out.append(_ITOA64[value % 64])
        value //= 64
        length -= 1
    return bytes(out)


def crypt_md5(word: bytes, salt: bytes) -> bytes:
    """``$1$salt$hash`` as crypt(3) computes it, as bytes."""
    if salt.startswith(b"$1$"):
        salt = salt[3:]
    salt = salt.partition(b"$")[0][:8]

    inner = hashlib.md5()
    inner.update(word)
    inner.update(salt)
    inner.update(word)
    inner_sum = inner.digest()

    outer = hashlib.md5()
    outer.update(word)
    outer.update(b"$1$")
    outer.update(salt)
    for offset in range(0, len(word), 16):
        outer.update(inner_sum[: len(word) - offset if len(word) - offset < 16 else 16])
    length = len(word)
    while length > 0:
        outer.update(b"\0" if length % 2 else word[0:1])
        length //= 2
    result = outer.digest()

    for i in range(1000):
        step = hashlib.md5()
        step.update(word if i % 2 else result)
        if i % 3 != 0:
            step.update(salt)
        if i % 7 != 0:
            step.update(word)
        step.update(result if i % 2 else word)
        result = step.digest()

    r = result
    encoded = (
        _to64((r[0] << 16) | (r[6] << 8) | r[12], 4)
        + _to64((r[1] << 16) | (r[7] << 8) | r[13], 4)
        + _to64((r[2] << 16) | (r[8] << 8) | r[14], 4)
        + _to64((r[3] << 16) | (r[9] << 8) | r[15], 4)
        + _to64((r[4] << 16) | (r[10] << 8) | r[5], 4)
        + _to64(r[11], 2)
    )
    return b"$1$" + salt + b"$" + encoded


def crypt_md5_body(word: str, salt: str) -> str:
    """The part after the third ``$``: what the Whatsminer schemes compare and hash."""
    return crypt_md5(word.encode(), salt.encode()).decode().rsplit("$", 1)[1]


def _cipher(key: bytes) -> Cipher[modes.ECB]:
    return Cipher(algorithms.AES(key), modes.ECB())


def seal(key: bytes, data: bytes) -> str:
    """AES-256-ECB over NUL-padded data, in base64 (how btminer wraps its replies)."""
    size = math.ceil(len(data) / 16) * 16
    encryptor = _cipher(key).encryptor()
    return base64.b64encode(
        encryptor.update(data.ljust(size, b"\0")) + encryptor.finalize()
    ).decode()


def unseal(key: bytes, text: str) -> bytes | None:
    """Undo :func:`seal`; ``None`` for text that is not base64 or not whole blocks."""
    try:
        raw = base64.b64decode(text.encode(), validate=True)
    except binascii.Error, ValueError:
        return None
    if not raw or len(raw) % 16:
        return None
    decryptor = _cipher(key).decryptor()
    return (decryptor.update(raw) + decryptor.finalize()).rstrip(b"\0")


def v2_key(password: str, salt: str) -> bytes:
    """The AES key btminer derives from its admin password entry."""
    return hashlib.sha256(crypt_md5_body(password, salt).encode()).digest()


def v2_sign(password: str, salt: str, time_text: str, newsalt: str) -> str:
    return crypt_md5_body(crypt_md5_body(password, salt) + time_text, newsalt)


def v3_hash(cmd: str, password: str, salt: str, ts: int) -> bytes:
    return hashlib.sha256((cmd + password + salt + str(ts)).encode()).digest()


def v3_token(cmd: str, password: str, salt: str, ts: int) -> str:
    return base64.b64encode(v3_hash(cmd, password, salt, ts)).decode()[:8]
