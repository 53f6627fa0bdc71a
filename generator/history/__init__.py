"""The only code that runs git (all of it in git.py): the changelog replay and
its cache (changelog.py), field-level sentences (changes.py), the pull-request
rules (policy.py) and the report of `reperes diff` (report.py)."""
