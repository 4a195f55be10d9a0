"""Stockouts: stock per variant, restock information, who is short, and the cases that follow."""
