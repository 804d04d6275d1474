"""The gateway's Fernet key: credentials' secrets are kept encrypted with it, never in clear.

keyring = Keyring(settings.gateway_secret_key)
token = keyring.encrypt(secret)
keyring.decrypt(token)      # the secret, or None for a token of another key
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class Keyring:
    """Encrypts and decrypts credentials' secrets with the gateway's Fernet key."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode("ascii"))

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str | None:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            return None
