"""Strawberry types, inputs, enums and scalars, one module per domain.

Importing the package builds nothing: resolvers import the plain types here (connections,
inputs, scalars), and ``padu.schema.build`` assembles the schema from types and resolvers.
"""
