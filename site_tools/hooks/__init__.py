"""MkDocs hooks of this site, one module per concern (listed under ``hooks:`` in mkdocs.yml)."""
