"""The storefront edge: back-in-stock sign-ups through the app proxy, and the theme snippet."""
