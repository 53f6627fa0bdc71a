"""Pages, build, safety scan and the MkDocs adapter."""
