#!/usr/bin/python3
"""Writes jwe_vectors.json: KBS-style JWEs made by python-cryptography (through the stand-in KBS's
encrypt_jwe in conformance/fixtures/kbs_server.py), with the private keys that open them.
Re-run to regenerate: python3 plugins/kbs/testdata/make_jwe_vectors.py"""
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "..", "..", "conformance", "fixtures"))
from kbs_server import encrypt_jwe  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


plaintext = b'{"auths":{"registry.example:5000":{"auth":"dXNlcjpwYXNz"}}}'
ec_key = ec.generate_private_key(ec.SECP256R1())
rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
vectors = [
    {"name": "ecdh-es-a256kw", "key": pem(ec_key), "jwe": encrypt_jwe(ec_key.public_key(), plaintext)},
    {"name": "ecdh-es-a256kw-apu-apv", "key": pem(ec_key),
     "jwe": encrypt_jwe(ec_key.public_key(), plaintext, apu=b"Alice", apv=b"Bob")},
    {"name": "rsa-oaep-256", "key": pem(rsa_key), "jwe": encrypt_jwe(rsa_key.public_key(), plaintext)},
    {"name": "rsa1_5", "key": pem(rsa_key), "jwe": encrypt_jwe(rsa_key.public_key(), plaintext, rsa1_5=True)},
]
with open(os.path.join(here, "jwe_vectors.json"), "w") as f:
    json.dump({"plaintext": plaintext.decode(), "vectors": vectors}, f, indent=1)
    f.write("\n")
