"""Fills and refreshes the cache from the adapters. No Qt."""
