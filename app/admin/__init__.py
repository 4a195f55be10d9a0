"""The embedded admin: pages and fetches inside the Shopify admin, authenticated by App Bridge session tokens."""
