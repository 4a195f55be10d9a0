"""Customers answering us: SMS replies from the provider, unsubscribe links, satisfaction ratings."""
