"""Read and check records: no git, Jinja or MkDocs."""
