"""The install edge: authorization-code install and callback, and token exchange for the embedded app."""

from app.auth.views import bp

__all__ = ["bp"]
