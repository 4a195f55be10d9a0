"""shopify.app.toml declares what webhooks/topics.py handles and the scopes app/shopify/scopes.py lists."""

from __future__ import annotations

import re
import tomllib

from app.config import REPO_ROOT, Settings
from app.shopify.scopes import REQUIRED_SCOPES
from webhooks import topics

TOML_PATH = REPO_ROOT / "shopify.app.toml"
COMPLIANCE = {"customers/data_request", "customers/redact", "shop/redact"}


def declared() -> dict:
    return tomllib.loads(TOML_PATH.read_text(encoding="utf-8"))


def declared_topics() -> dict[str, str]:
    """topic -> handler named in the comment above its subscription block."""
    text = TOML_PATH.read_text(encoding="utf-8")
    blocks = re.findall(
        r"# Handled by ([\w.]+)\n\[\[webhooks\.subscriptions\]\]\n(?:compliance_)?topics = \[([^\]]*)\]", text
    )
    found = {}
    for handler, topics in blocks:
        for topic in re.findall(r'"([^"]+)"', topics):
            found[topic] = handler
    return found


def test_one_webhook_api_version_equal_to_the_client_version():
    assert declared()["webhooks"]["api_version"] == Settings().shopify_api_version == "2026-07"


def test_every_subscription_block_names_its_handler_and_posts_to_the_intake():
    subscriptions = declared()["webhooks"]["subscriptions"]
    listed = [t for s in subscriptions for t in s.get("topics", []) + s.get("compliance_topics", [])]
    assert all(s["uri"] == "/webhooks" for s in subscriptions)
    assert sorted(listed) == sorted(declared_topics())
    assert len(listed) == len(set(listed))


def test_the_mandatory_compliance_topics_are_declared_as_compliance_topics():
    compliance = {t for s in declared()["webhooks"]["subscriptions"] for t in s.get("compliance_topics", [])}
    assert compliance == COMPLIANCE


def test_the_scopes_are_the_ones_the_app_needs():
    assert declared()["access_scopes"]["scopes"].split(",") == list(REQUIRED_SCOPES)


def test_the_toml_and_the_topic_table_list_the_same_topics_and_handlers():
    assert declared_topics() == dict(topics.TOPICS)
