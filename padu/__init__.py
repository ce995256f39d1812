"""Padu: one GraphQL API over a city government's applications."""

__version__ = "0.1.0"
