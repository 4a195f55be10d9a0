"""Background jobs: plain functions taking JSON-safe ids, run by RQ inside the app context."""
