"""Mutation resolvers, one module per domain; every write goes through ``padu.writes``."""
