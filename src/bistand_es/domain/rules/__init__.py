"""domain/rules package."""
