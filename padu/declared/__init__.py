"""Applications joined by declaration: their types, fields, keys and links, read from padu.toml.

A city's other applications (e-Pembayaran, e-Puskesmas, PPDB, …) join the graph without a
Python module of their own: an integrator declares, under ``[applications.NAME]``, which
tables (or endpoints) hold which types, the key, the ordering for pages, the filters, the
personal fields and who reads them, and the links to the core entities (by NIK to
``Resident``, by NIP to ``Officer``, by village code to ``Village``, by ticket to
``ServiceRequest``). ``declaration`` parses and checks the declarations; ``sql`` writes the
statements they need in the dialect of their source.
"""
