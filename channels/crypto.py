"""The WXBizMsgCrypt scheme shared by the WeChat OA and WeCom callbacks, on ``cryptography``.

Our own ~100 lines rather than wechatpy's: its comparisons are not constant-time, it rebuilds the
cipher for every message and does not bound-check the decrypted length field. Tests cross-check
both directions against wechatpy and the public vectors (platforms.md §2.8).
Scheme: key = b64decode(EncodingAESKey + "="), AES-256-CBC with IV = key[:16], PKCS#7 to 32
bytes; plaintext = 16 random bytes + 4-byte big-endian length + message + receive id.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from channels.callback_errors import CallbackError, bad_request, forbidden, stale

_BLOCK = 32  # WeChat pads to 32 bytes, not to the AES block size
_NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TIMESTAMP = re.compile(r"[0-9]{1,13}")
_SIGNATURE = re.compile(r"[0-9a-fA-F]{40}")


def sha1_signature(*parts: str) -> str:
    """sha1 of the sorted, concatenated parts: every WeChat/WeCom/Weibo callback signature."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 (protocol)


def signature_matches(given: str, *parts: str) -> bool:
    """Constant-time check of ``given`` against the signature of ``parts``."""
    expected = sha1_signature(*parts).encode()
    return hmac.compare_digest(expected, given.lower().encode("utf-8", "replace"))


def require_signed(given: str | None, *parts: str, what: str = "signature") -> None:
    if not given or not signature_matches(given, *parts):
        raise forbidden(f"{what} mismatch")


def check_query_params(timestamp: str | None, nonce: str | None) -> tuple[str, str]:
    """Refuse odd timestamps/nonces early: they end up in replies and in the replay store."""
    if not timestamp or not _TIMESTAMP.fullmatch(timestamp):
        raise bad_request("timestamp missing or not digits")
    if not nonce or not _NONCE.fullmatch(nonce):
        raise bad_request("nonce missing or malformed")
    return timestamp, nonce


def looks_like_signature(value: str | None) -> bool:
    return value is not None and _SIGNATURE.fullmatch(value) is not None


def check_window(timestamp: str, now: float, window_s: float, *, scale: float = 1.0) -> None:
    """Refuse a timestamp more than ``window_s`` away from ``now`` (``scale`` 1000 for ms)."""
    age = now - int(timestamp) / scale
    if abs(age) > window_s:
        raise stale(f"timestamp {age:+.0f}s from now, window {window_s:.0f}s")


def decode_aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise ValueError("EncodingAESKey must be 43 characters")
    try:
        key = base64.b64decode(encoding_aes_key + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("EncodingAESKey is not base64") from exc
    if len(key) != 32:  # pragma: no cover - 43 base64 chars always give 32 bytes
        raise ValueError("EncodingAESKey must decode to 32 bytes")
    return key


class MessageCipher:
    """Encrypts/decrypts callback payloads for one receive id (OA AppID or WeCom CorpID).

    The ``Cipher`` is built once; only the cheap per-message encryptor/decryptor is per call.
    """

    __slots__ = ("_cipher", "_receive_id")

    def __init__(self, encoding_aes_key: str, receive_id: str) -> None:
        key = decode_aes_key(encoding_aes_key)
        self._cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))
        self._receive_id = receive_id.encode()

    def encrypt(self, message: bytes, *, random_prefix: bytes | None = None) -> str:
        prefix = os.urandom(16) if random_prefix is None else random_prefix
        if len(prefix) != 16:
            raise ValueError("random prefix must be 16 bytes")
        plain = b"".join((prefix, struct.pack(">I", len(message)), message, self._receive_id))
        pad = _BLOCK - len(plain) % _BLOCK
        enc = self._cipher.encryptor()
        data = enc.update(plain + bytes((pad,)) * pad) + enc.finalize()
        return base64.b64encode(data).decode("ascii")

    def decrypt(self, encrypted: str) -> bytes:
        """The message inside ``encrypted``; CallbackError if it is not ours or is mangled."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise bad_request("Encrypt is not base64") from exc
        if not data or len(data) % 16:
            raise bad_request("ciphertext length is not a multiple of 16")
        dec = self._cipher.decryptor()
        plain = dec.update(data) + dec.finalize()
        pad = plain[-1]
        if not 1 <= pad <= _BLOCK or pad > len(plain) - 20:
            raise bad_request("bad padding after decryption")
        body = plain[16:-pad]
        (length,) = struct.unpack(">I", body[:4])
        if length > len(body) - 4:
            raise bad_request("length field exceeds the decrypted payload")
        if not hmac.compare_digest(body[4 + length :], self._receive_id):
            raise forbidden("receive id inside the ciphertext does not match")
        return body[4 : 4 + length]


def decrypt_any(ciphers: tuple[MessageCipher, ...], encrypted: str) -> bytes:
    """Try the current key, then the previous one (the FAQ says keep both while rotating)."""
    error = bad_request("no EncodingAESKey configured")
    for index, cipher in enumerate(ciphers):
        try:
            return cipher.decrypt(encrypted)
        except CallbackError as exc:
            error = exc if index == 0 else error
    raise error


def cdata(text: str) -> str:
    """``text`` as CDATA, splitting any ``]]>`` so a reply cannot break out of its element."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def encrypted_envelope(
    cipher: MessageCipher, token: str, message: bytes, timestamp: str, nonce: str
) -> bytes:
    """The encrypted passive-reply XML: Encrypt + MsgSignature over (token, ts, nonce, Encrypt)."""
    encrypt = cipher.encrypt(message)
    signature = sha1_signature(token, timestamp, nonce, encrypt)
    return (
        f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt>"
        f"<MsgSignature><![CDATA[{signature}]]></MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
    ).encode()
