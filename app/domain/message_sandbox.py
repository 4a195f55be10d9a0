"""Where our message templates live, and the hardened Jinja sandbox they and merchants' edits render in."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from app.domain.message_facts import MessageKind

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "messages"


class MerchantSandbox(SandboxedEnvironment):
    """The sandbox, also refusing the few operations that could exhaust a worker's memory."""

    intercepted_binops = frozenset({"*", "**", "%"})
    _unsafe_text_methods = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise SecurityError("%-formatting is not available in message templates")
        if operator == "**" and isinstance(right, int) and abs(right) > 64:
            raise SecurityError("powers above 64 are not available in message templates")
        if operator == "*" and _repeats_too_much(left, right):
            raise SecurityError("repeating text or lists more than 1000 times is not available in message templates")
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Any:
        if getattr(value, "__name__", None) in ("format", "format_map") and isinstance(
            getattr(value, "__self__", None), str
        ):
            raise SecurityError("str.format is not available in message templates")
        return super().wrap_str_format(value)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and attr in self._unsafe_text_methods:
            return False
        return super().is_safe_attribute(obj, attr, value)


def _repeats_too_much(left: Any, right: Any) -> bool:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, (str, list, tuple)) and isinstance(count, int) and count > 1000:
            return True
    return False


@lru_cache(maxsize=2)
def environment(html: bool) -> MerchantSandbox:
    """The sandbox our templates and merchants' edits render in; HTML parts autoescape."""
    env = MerchantSandbox(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    for name in ("center", "format", "indent", "slice", "wordwrap"):
        env.filters.pop(name, None)
    return env


def template_name(kind: str, locale: str, part: str) -> str:
    return f"{MessageKind(kind).value}/{locale}.{part}.j2"


def compile_template(part: str, source: str) -> Template:
    """A merchant's template source, compiled in the sandbox for that part."""
    return environment(part == "html").from_string(source)


def default_source(kind: str, locale: str, part: str) -> str:
    """Our own template text, the starting point for a merchant's edit."""
    return (TEMPLATES_DIR / template_name(kind, locale, part)).read_text(encoding="utf-8")

