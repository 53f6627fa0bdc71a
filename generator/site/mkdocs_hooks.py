"""Thin MkDocs adapter: under `mkdocs serve`, regenerate pages from the records
before each build. It calls the same functions as `reperes build`; the site is
correct without it (Zensical, which ignores hooks, reads what `reperes build`
generated)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger("mkdocs.reperes")

# Kept between rebuilds of `mkdocs serve`: only changed records are parsed
# again and only the pages that show them are rendered and rewritten.
_STATE: dict[str, object] = {}


def on_pre_build(config, **kwargs) -> None:  # noqa: ANN001 - MkDocs hook signature
    if os.environ.get("REPERES_GENERATED") == "1":
        return  # `reperes build` generated just before calling MkDocs
    from generator.records.corpus import LoadCache, load_corpus
    from generator.site.render import Generator, generate

    cache = _STATE.setdefault("cache", LoadCache())
    state = _STATE.setdefault("generator", Generator.new())

    project = Path(config.config_file_path).parent
    previous = Path.cwd()
    os.chdir(project)
    try:
        corpus = load_corpus(Path("schemes"), cache=cache)
        if corpus.errors:
            for error in corpus.errors:
                log.error(error.format_text())
            log.error("fiches invalides : pages non régénérées (les précédentes restent en place)")
            return
        from generator.history.changelog import HistoryError, current_head, read_history

        # Editing a record does not move HEAD: keep the history read last time.
        history = _STATE.get("history")
        if history is None or history.head != current_head(project):
            try:
                history = read_history(project)
            except HistoryError as exc:
                log.warning("Repères : %s", exc)
                history = read_history(project, allow_shallow=True)
            _STATE["history"] = history
        written, removed = generate(corpus, project, state=state, history=history)
        if written or removed:
            log.info("Repères : %d page(s) régénérée(s), %d supprimée(s)", len(written), len(removed))
    finally:
        os.chdir(previous)


def on_serve(server, config, builder, **kwargs):  # noqa: ANN001, ANN201 - MkDocs hook signature
    """Rebuild when a hand-written page changes too (those folders are optional)."""
    project = Path(config.config_file_path).parent
    for folder in ("docs/contribuer", "docs/guides"):
        if (project / folder).is_dir():
            server.watch(str(project / folder))
    return server
