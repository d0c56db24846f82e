"""The conformance corpus: one folder of cases that the reference path, the quote plans and DuckDB are held to.

See README.md in this folder and docs/conformance.md.
"""
