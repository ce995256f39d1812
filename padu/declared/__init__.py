"""Applications joined by declaration: their types, fields, keys and links, read from padu.toml.

A city's other applications (e-Pembayaran, e-Puskesmas, PPDB, …) join the graph without a
Python module of their own: an integrator declares, under ``[applications.NAME]``, which
tables (or endpoints) hold which types, the key, the ordering for pages, the filters, the
personal fields and who reads them, and the links to the core entities (by NIK to
``Resident``, by NIP to ``Officer``, by village code to ``Village``, by ticket to
``ServiceRequest``).

Here: ``declaration`` parses the declarations, ``catalogue`` checks them against their
sources, ``graph`` adds their types and resolvers to the schema, ``report`` describes them.
As for the core systems, their SQL lives in ``padu.sources`` (``application``,
``application_sql``) and their loaders in ``padu.loaders.declared``.
"""
