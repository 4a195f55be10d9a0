"""The message-template editor: which template, its live preview with SMS cost, and why a save is refused."""

from __future__ import annotations

import re
from collections.abc import Mapping

from app.admin.i18n import t
from app.domain.locales import SUPPORTED
from app.domain.messages import PARTS, MessageKind
from app.domain.template_checks import TemplateProblem, check_template, preview

KINDS = tuple(kind.value for kind in MessageKind)

# The checker explains in English; each explanation maps to a catalogue key, with the values it quotes.
_REASONS = (
    (r"must apologise to the customer.*", "tmpl.apologise"),
    (r"must show the restock date .*", "tmpl.restock_date"),
    (r"must say honestly that there is no date yet.*", "tmpl.no_date"),
    (r"must name the item.*", "tmpl.item"),
    (r"must give the shop's contact.*", "tmpl.contact"),
    (r"uses vague wording \(“(?P<words>.*)”\).*", "tmpl.vague"),
    (r"must start with the shop name in brackets.*", "tmpl.shop_first"),
    (r"is (?P<segments>\d+) SMS segments on the sample \((?P<characters>\d+) (?P<encoding>\S+) characters\).*",
     "tmpl.segments"),
    (r"must tell the customer how to opt out \(“(?P<phrase>.*)”\)", "tmpl.opt_out"),
    (r"must not be empty", "tmpl.empty"),
    (r"is (?P<length>\d+) characters; keep a subject under (?P<limit>\d+)", "tmpl.subject_long"),
    (r"is (?P<length>\d+) characters; the limit is (?P<limit>\d+)", "tmpl.source_long"),
    (r"must show the order name.*", "tmpl.order_name"),
    (r"must name the shop.*", "tmpl.shop_name"),
    (r"must include the link where the customer chooses.*", "tmpl.choice_link"),
    (r"must include the one-tap cancel link.*", "tmpl.cancel_link"),
    (r"must include the unsubscribe link.*", "tmpl.unsubscribe_link"),
    (r"must not switch off escaping.*", "tmpl.escaping"),
    (r"line (?P<line>\d+): (?P<detail>.*)", "tmpl.syntax"),
    (r"uses something message templates may not: (?P<detail>.*)", "tmpl.forbidden"),
    (r"uses a value that does not exist: (?P<detail>.*)", "tmpl.undefined"),
    (r"cannot be rendered: (?P<detail>.*)", "tmpl.unrenderable"),
    (r"fails on the sample order: (?P<detail>.*)", "tmpl.sample_fails"),
)
_COMPILED = tuple((re.compile(pattern, re.DOTALL), key) for pattern, key in _REASONS)


def explain(reason: str, locale: str) -> str:
    """A checker's reason in the merchant's language; one we cannot read is quoted under a general heading."""
    for pattern, key in _COMPILED:
        found = pattern.fullmatch(reason)
        if found:
            return t(locale, key, **found.groupdict())
    return t(locale, "tmpl.other", detail=reason)


def parse_target(form: Mapping[str, object]) -> tuple[tuple[str, str, str] | None, dict]:
    """Which template the form is about: kind, locale and part, each from its fixed list."""
    kind, locale, part = (str(form.get(name) or "") for name in ("kind", "locale", "part"))
    errors = {}
    if kind not in KINDS:
        errors["kind"] = ("err.choice", {})
    if locale not in SUPPORTED:
        errors["locale"] = ("err.choice", {})
    if part not in PARTS:
        errors["part"] = ("err.choice", {})
    return (None, errors) if errors else ((kind, locale, part), {})


def preview_payload(kind: str, locale: str, part: str, source: str, ui_locale: str) -> dict:
    """The rendered sample, its SMS cost, and what would stop it being saved, all for the editor."""
    problems = [explain(reason, ui_locale) for reason in check_template(kind, locale, part, source)]
    try:
        rendered, segments = preview(kind, locale, part, source)
    except TemplateProblem as problem:
        return {"rendered": "", "html": False, "segments": None,
                "problems": problems or [explain(r, ui_locale) for r in problem.reasons]}
    cost = None
    if segments is not None:
        cost = t(ui_locale, "tmpl.cost", segments=segments.segments, characters=segments.characters,
                 encoding=segments.encoding)
    return {"rendered": rendered, "html": part == "html", "segments": cost, "problems": problems}
