"""Domain model: pydantic models, enums and catalogs; no Qt, no SQL."""
