"""Monthly reports: figures, charts and CSV files from the shop's cases, orders, compensation and stock."""
