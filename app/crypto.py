"""Access and refresh tokens encrypted at rest, with key rotation."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.config import ConfigError


class TokenCipher:
    """Encrypts with the first key; decrypts with any, so keys can be rotated."""

    def __init__(self, keys: tuple[str, ...]):
        try:
            self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        except (ValueError, TypeError):
            raise ConfigError(
                "TOKEN_ENCRYPTION_KEYS must be comma-separated Fernet keys "
                "(make one with: python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
            ) from None

    def encrypt(self, token: str) -> str:
        return self._fernet.encrypt(token.encode()).decode()

    def decrypt(self, encrypted: str) -> str:
        try:
            return self._fernet.decrypt(encrypted.encode()).decode()
        except InvalidToken:
            raise ConfigError("a stored token cannot be decrypted with TOKEN_ENCRYPTION_KEYS") from None

    def rotate(self, encrypted: str) -> str:
        """Re-encrypt a stored token under the current primary key."""
        return self._fernet.rotate(encrypted.encode()).decode()
