"""The Whatsminer cryptography against the published vectors, on both sides.

The driver (``families/whatsminer/crypto.py``) and the simulator (``simulator/whatsminer_crypto.py``)
implement the algorithms separately; pinning each to the same vectors means a mistake
cannot hide by being made twice.
"""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from custom_components.asic_miner.driver.families.whatsminer import crypto
from simulator import whatsminer_crypto as sim

SALT = "D6w5gVOb"
MD5_CRYPT_VECTORS = [
    ("admin", "$1$D6w5gVOb$x/LfL.qU1wBJhndXCyVkC/"),
    ("password", "$1$D6w5gVOb$m51Foe83KshT4d.KQSz7s/"),
    ("", "$1$D6w5gVOb$XJwRq7JVNjAQoiwi6atmD0"),
]

# API v2 worked example (protocols.md §6.2)
V2_NEWSALT = "zU4gvW30"
V2_TIME = "1080"
V2_PROOF = "x/LfL.qU1wBJhndXCyVkC/"
V2_SIGN = "Add.ZWc4hRsMITHx0hC.y."
V2_KEY_HEX = "6749c2b4c368a853c9a85cead71297529b3c95439cbf47defeb35e621684fa18"
V2_PLAINTEXT = '{"cmd":"set_led","param":"auto","token":"Add.ZWc4hRsMITHx0hC.y."}'
V2_DATA = (
    "VhSAuEszq27nkFjImFavahgU1Wprb+lRKocKbrBhqSvSaBB/aKoNRP+7bohRqhXE6sanoC1Xrv"
    "NohLDDfrbujym+a9idIOT0CxmmyNFeAu0="
)

# API v3 worked example (protocols.md §6.3)
V3_TS = 1700000000
V3_REBOOT_SHA_HEX = "2702a702c73bc345c70bc8f8c07f62974db80d8faf5b1c1a83b7cdd7b27c70e9"
V3_POOLS = [{"pool": "stratum+tcp://pool.example:3333", "worker": "w.1", "passwd": "x"}]
V3_POOLS_PARAM = (
    "Tt+RJ5GiP5iHDU/bbek/7/N/tsBZ5VNwenZ6tIJDZn6suYGOD4THs3xhlJbjypXsgfLQ1HPeurfFu8zq"
    "U5XznuG/f4Y6U0DOEY82OYij7tQ="
)


@pytest.mark.parametrize(("password", "expected"), MD5_CRYPT_VECTORS)
def test_md5_crypt_driver(password: str, expected: str) -> None:
    assert crypto.md5_crypt(password, SALT) == expected
    assert crypto.md5_crypt(password.encode(), "$1$" + SALT + "$ignored") == expected
    assert crypto.md5_crypt_hash(password, SALT) == expected.split("$")[3]


@pytest.mark.parametrize(("password", "expected"), MD5_CRYPT_VECTORS)
def test_md5_crypt_simulator(password: str, expected: str) -> None:
    assert sim.crypt_md5(password.encode(), SALT.encode()).decode() == expected


@pytest.mark.parametrize("password", ["", "a", "x" * 15, "y" * 16, "z" * 17, "ü-passwörd" * 5])
def test_md5_crypt_sides_agree(password: str) -> None:
    """Lengths around the 16-byte block boundary take different branches."""
    for salt in ("ab", "12345678", "longersaltthan8"):
        assert (
            crypto.md5_crypt(password, salt)
            == sim.crypt_md5(password.encode(), salt.encode()).decode()
        )


def test_v2_privileged_vector() -> None:
    proof = crypto.v2_host_passwd_md5("admin", SALT)
    assert proof == V2_PROOF
    assert crypto.md5_crypt(proof + V2_TIME, V2_NEWSALT) == f"$1${V2_NEWSALT}${V2_SIGN}"
    assert crypto.v2_host_sign(proof, V2_TIME, V2_NEWSALT) == V2_SIGN
    key = crypto.v2_aes_key(proof)
    assert key.hex() == V2_KEY_HEX
    body = json.dumps(
        {"cmd": "set_led", "param": "auto", "token": V2_SIGN}, separators=(",", ":")
    ).encode()
    assert body.decode() == V2_PLAINTEXT
    assert len(body) == 65
    assert crypto.aes_encrypt(key, body) == V2_DATA
    assert crypto.aes_decrypt(key, V2_DATA) == body


def test_v2_privileged_vector_simulator() -> None:
    assert sim.v2_sign("admin", SALT, V2_TIME, V2_NEWSALT) == V2_SIGN
    key = sim.v2_key("admin", SALT)
    assert key.hex() == V2_KEY_HEX
    assert sim.seal(key, V2_PLAINTEXT.encode()) == V2_DATA
    assert sim.unseal(key, V2_DATA) == V2_PLAINTEXT.encode()


def test_aes_padding_edges() -> None:
    key = bytes(range(32))
    for size in (1, 15, 16, 17, 32):
        data = b"a" * size
        sealed = crypto.aes_encrypt(key, data)
        assert "\n" not in sealed
        assert len(base64.b64decode(sealed)) == -(-size // 16) * 16
        assert crypto.aes_decrypt(key, sealed) == data
        assert sim.unseal(key, sealed) == data
    with pytest.raises(ValueError):
        crypto.aes_decrypt(key, "c2hvcnQ=")  # "short": not a whole block
    assert sim.unseal(key, "not base64!") is None


def test_v3_token_vectors() -> None:
    digest = crypto.v3_digest("set.system.reboot", "super", SALT, V3_TS)
    assert digest.hex() == V3_REBOOT_SHA_HEX
    assert digest == hashlib.sha256(b"set.system.rebootsuperD6w5gVOb1700000000").digest()
    assert base64.b64encode(digest).decode() == "JwKnAsc7w0XHC8j4wH9il024DY+vWxwag7fN17J8cOk="
    assert crypto.v3_token(digest) == "JwKnAsc7"
    assert sim.v3_token("set.system.reboot", "super", SALT, V3_TS) == "JwKnAsc7"

    pools_digest = crypto.v3_digest("set.miner.pools", "super", SALT, V3_TS)
    assert crypto.v3_token(pools_digest) == "00auA/Nn"
    assert sim.v3_token("set.miner.pools", "super", SALT, V3_TS) == "00auA/Nn"


def test_v3_pools_param_vector() -> None:
    digest = crypto.v3_digest("set.miner.pools", "super", SALT, V3_TS)
    assert crypto.v3_encrypt_param(digest, V3_POOLS) == V3_POOLS_PARAM
    plain = sim.unseal(sim.v3_hash("set.miner.pools", "super", SALT, V3_TS), V3_POOLS_PARAM)
    assert plain is not None
    assert json.loads(plain) == V3_POOLS
