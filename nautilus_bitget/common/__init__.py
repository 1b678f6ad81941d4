"""Shared building blocks: credentials, errors, enums, symbols and book integrity."""
