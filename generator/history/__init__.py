"""The only code that runs git: changelog replay, sentences, pull-request policy."""
