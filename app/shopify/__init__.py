"""Everything the app says to Shopify: install, tokens, and the one Admin GraphQL client."""
