"""Small pieces shared by the /emulator control endpoints."""
from flask import jsonify, request

from . import gids


class NotFound(Exception):
    """A control request named something that does not exist."""


def body() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def number(value, type_name: str) -> int:
    """Accept a bare id or a GID of the right type."""
    if isinstance(value, int):
        return value
    text = str(value)
    if text.isdigit():
        return int(text)
    found = gids.number(text, type_name)
    if found is None:
        raise ValueError(f"{text} is not a {type_name} id")
    return found


def find(collection: dict, value, type_name: str):
    record = collection.get(number(value, type_name))
    if record is None:
        raise NotFound(f"no {type_name} {value}")
    return record


def install_error_handlers(bp) -> None:
    bp.register_error_handler(ValueError, lambda e: (jsonify(error=str(e)), 400))
    bp.register_error_handler(KeyError, lambda e: (jsonify(error=f"missing or unknown: {e}"), 400))
    bp.register_error_handler(NotFound, lambda e: (jsonify(error=str(e)), 404))
