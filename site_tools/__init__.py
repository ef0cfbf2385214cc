"""MkDocs hooks and Markdown extensions that build this site."""
