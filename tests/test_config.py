import pytest

from app.config import ConfigError, settings_from_env

VALID = {
    "SECRET_KEY": "s",
    "SHOPIFY_API_KEY": "k",
    "SHOPIFY_API_SECRET": "x",
    "TOKEN_ENCRYPTION_KEYS": "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eHF1dXg=",
}


def test_defaults_are_the_embedded_ones():
    settings = settings_from_env(VALID)
    assert settings.database_url.startswith("sqlite:///") and settings.database_url.endswith("instance/stockout.sqlite3")
    assert settings.redis_url is None
    assert settings.shopify_api_version == "2026-07"
    assert settings.webhook_max_body_bytes >= 2 * 1024 * 1024


def test_environment_overrides_defaults():
    settings = settings_from_env({**VALID, "DATABASE_URL": "postgresql://u@db/x", "REDIS_URL": "redis://r:6379/2",
                                  "SMTP_PORT": "2525", "SMTP_STARTTLS": "yes"})
    assert settings.database_url == "postgresql://u@db/x"
    assert settings.redis_url == "redis://r:6379/2"
    assert settings.smtp_port == 2525 and settings.smtp_starttls is True


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"DATABASE_URL": "not a url at all"}, "DATABASE_URL is malformed"),
        ({"DATABASE_URL": "mysql://u@h/db"}, "DATABASE_URL must be PostgreSQL or SQLite"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL is malformed"),
        ({"SMTP_PORT": "twenty-five"}, "SMTP_PORT is malformed"),
        ({"SMTP_STARTTLS": "maybe"}, "SMTP_STARTTLS is malformed"),
        ({"WEBHOOK_MAX_BODY_BYTES": "1000"}, "at least 2 MiB"),
        ({"EMAIL_BACKEND": "pigeon"}, "EMAIL_BACKEND"),
    ],
)
def test_malformed_settings_give_one_clear_line(overrides, message):
    with pytest.raises(ConfigError) as error:
        settings_from_env({**VALID, **overrides})
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_missing_secrets_are_named():
    with pytest.raises(ConfigError) as error:
        settings_from_env({})
    assert str(error.value) == (
        "missing required setting(s): SECRET_KEY, SHOPIFY_API_KEY, SHOPIFY_API_SECRET, TOKEN_ENCRYPTION_KEYS "
        "(see .env.example)"
    )


def test_malformed_database_url_is_one_line_from_the_command_line(tmp_path):
    import subprocess
    import sys

    from app.config import REPO_ROOT
    from tests.support.env import VENV_BIN

    env = {"PATH": VENV_BIN, "PYTHONPATH": str(REPO_ROOT), **VALID, "DATABASE_URL": "postgresql://user@host:notaport/db"}
    result = subprocess.run([sys.executable, "-m", "app", "check"], env=env, capture_output=True, text=True,
                            cwd=str(tmp_path.parent))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DATABASE_URL is malformed" in result.stderr
