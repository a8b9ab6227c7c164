"""Storage: SQLAlchemy tables, Alembic migrations and repositories returning domain models."""
