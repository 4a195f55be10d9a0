"""The admin's UI strings: one dictionary per language, the same keys in each."""

from app.admin.catalogue import en, zh_cn, zh_tw

CATALOGUES: dict[str, dict[str, str]] = {"en": en.CATALOGUE, "zh-CN": zh_cn.CATALOGUE, "zh-TW": zh_tw.CATALOGUE}
