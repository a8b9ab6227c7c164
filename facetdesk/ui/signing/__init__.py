"""Signing in and locking, and acknowledging findings before a signature."""
