"""Emulator settings: defaults, the environment read once, and the app registration it implies."""
import pytest

from emulator import config


def test_app_registration_falls_back_to_the_apps_own_variables():
    found = config.from_env({"SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "secret", "APP_URL": "http://a:8000",
                             "SHOPIFY_API_VERSION": "2026-04", "SHOPIFY_SCOPES": "read_orders, write_orders"})
    assert found["APP"] == {"client_id": "key", "client_secret": "secret", "app_url": "http://a:8000",
                            "scopes": ("read_orders", "write_orders"), "webhook_api_version": "2026-04"}
    preferred = config.from_env({"SHOPIFY_API_KEY": "key", "SHOPIFY_API_SECRET": "s", "EMULATOR_CLIENT_ID": "emu"})
    assert preferred["APP"]["client_id"] == "emu"
    assert "APP" not in config.from_env({"SHOPIFY_API_KEY": "key"})


def test_typed_overrides_and_unknown_settings():
    built = config.build(None, {"EMULATOR_BUCKET_MAXIMUM": "40", "EMULATOR_ACCESS_TOKEN_TTL": "60"})
    assert built["BUCKET_MAXIMUM"] == 40.0 and built["ACCESS_TOKEN_TTL"] == 60
    assert config.build({}, {"EMULATOR_BUCKET_MAXIMUM": "40"})["BUCKET_MAXIMUM"] == 2000.0
    with pytest.raises(ValueError, match="BUCKET_SIZE"):
        config.build({"BUCKET_SIZE": 1}, {})


def test_app_view_hides_secrets(client):
    shown = client.get("/emulator/app").json["app"]
    assert shown["client_secret"].startswith("…") and len(shown["client_secret"]) == 5
    assert client.post("/emulator/app", json={"colour": "red"}).status_code == 400
