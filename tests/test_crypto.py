from cryptography.fernet import Fernet

import pytest

from app.config import ConfigError
from app.crypto import TokenCipher


def test_rotation_keeps_old_tokens_readable_and_moves_them_to_the_new_key():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = TokenCipher((old,)).encrypt("shpat_abc")
    rotated_cipher = TokenCipher((new, old))
    assert rotated_cipher.decrypt(stored) == "shpat_abc"
    rotated = rotated_cipher.rotate(stored)
    assert TokenCipher((new,)).decrypt(rotated) == "shpat_abc"


def test_a_bad_key_is_a_clear_configuration_error():
    with pytest.raises(ConfigError, match="TOKEN_ENCRYPTION_KEYS"):
        TokenCipher(("not-a-fernet-key",))


def test_a_token_under_an_unknown_key_is_refused_clearly():
    stored = TokenCipher((Fernet.generate_key().decode(),)).encrypt("shpat_abc")
    with pytest.raises(ConfigError, match="cannot be decrypted"):
        TokenCipher((Fernet.generate_key().decode(),)).decrypt(stored)
