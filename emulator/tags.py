"""Tag lists as Shopify keeps them: trimmed, comma-split, unique ignoring case, at most 255 characters each."""


def normalize(values) -> list[str]:
    """Split comma-joined entries, trim, and keep the first spelling of each tag."""
    result, seen = [], set()
    for value in values:
        for tag in str(value).split(","):
            tag = tag.strip()
            if tag and tag.lower() not in seen:
                seen.add(tag.lower())
                result.append(tag)
    return result


def too_long(values: list[str]) -> str | None:
    return next((tag for tag in values if len(tag) > 255), None)


def add(current: list[str], extra) -> list[str]:
    return normalize(list(current) + list(extra))


def remove(current: list[str], unwanted) -> list[str]:
    drop = {tag.lower() for tag in normalize(unwanted)}
    return [tag for tag in current if tag.lower() not in drop]
