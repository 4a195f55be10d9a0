"""Customer notifications: who may be messaged, when, and delivering each message at most once."""
