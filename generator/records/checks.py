"""Rules across records, as small functions over a loaded corpus.

Each function takes the corpus and returns the RecordErrors it finds; they
run only on records that passed their own validation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path, PurePath

from ..errors import RecordError
from ..fr import format_date_fr
from .corpus import Corpus, Record
from .kinds import KINDS
from .loader import Path as DataPath
from .loader import dotted
from .models import ACTEURS, SLUG_RE
from .references import Reference, references
from .status import split_timeline
from .validation import did_you_mean

# Scheme ids that would clash with other files or site sections.
RESERVED_SCHEME_IDS = {
    "glossaire", "partenaires", "outils", "sites", "guides", "index", "readme",
    "tags", "etiquettes", "a-revoir", "journal", "recherche", "assets", "search",
    "briefings", "dispositifs", "schemas",
}

# Ids a record of each kind may not take, because the site generates a page of
# that name in a folder where this kind's pages go too: guides/index.md beside
# the guides, journal/index.md beside the referent sites' journal/<id>.md, and
# for schemes, whatever sits beside schemes/<id>.yml. The folders' index pages
# are reserved for every kind. tests/test_inert_records.py checks this table
# against the pages site/render.py actually writes.
RESERVED_IDS: dict[str, frozenset[str]] = {
    kind.name: frozenset(RESERVED_SCHEME_IDS) if kind.name == "dispositif" else frozenset({"index"})
    for kind in KINDS.values() if kind.pages
}


def _error(record: Record, loc: DataPath, message: str, hint: str | None = None) -> RecordError:
    line, column = record.loaded.position(loc)
    return RecordError(record.path, line, column, dotted(loc), message, hint)


def check_ids_match_files(corpus: Corpus) -> Iterator[RecordError]:
    for kind, records in corpus.records.items():
        if kind in ("glossaire", "guide"):
            continue
        for record in records.values():
            stem = PurePath(record.path).name.removesuffix(".yml")
            if record.id != stem:
                # Never suggest a file name that is taken or reserved: renaming
                # would overwrite another record.
                target = PurePath(record.path).with_name(f"{record.id}.yml")
                can_rename = not Path(target).exists() and record.id not in RESERVED_IDS.get(kind, ())
                options = []
                if can_rename:
                    options.append(f"renommez le fichier en {record.id}.yml")
                if SLUG_RE.match(stem):
                    options.append(f"écrivez « id: {stem} »")
                yield _error(
                    record, ("id",),
                    f"l'identifiant « {record.id} » ne correspond pas au nom du fichier « {stem}.yml »",
                    ", ou ".join(options) or "renommez le fichier d'après l'identifiant",
                )


def check_reserved_ids(corpus: Corpus) -> Iterator[RecordError]:
    for kind, reserved in RESERVED_IDS.items():
        for record in corpus.of_kind(kind).values():
            if record.id in reserved:
                yield _error(
                    record, ("id",),
                    f"l'identifiant « {record.id} » est réservé",
                    f"choisissez un identifiant qui nomme {KINDS[kind].named}",
                )


def _resolve(corpus: Corpus, record: Record, reference: Reference) -> RecordError | None:
    """An error when *reference* names no record of its kind (nor an actor, where one may stand).

    A record that exists but failed its own checks is not reported again.
    """
    kind, value = reference.declared.kind, reference.target
    targets = corpus.of_kind(kind)
    extra = ACTEURS if reference.declared.actors else {}
    if value in targets or value in extra or value in corpus.broken[kind]:
        return None
    hint = did_you_mean(value, list(targets) + list(extra))
    if hint is None:
        hint = f"créez {KINDS[kind].source.replace('{id}', value)}, ou utilisez un identifiant existant"
    return _error(record, reference.path, f"{KINDS[kind].label.lower()} « {value} » introuvable", hint)


def check_references(corpus: Corpus) -> Iterator[RecordError]:
    for kind in KINDS:
        for record in corpus.of_kind(kind).values():
            for reference in references(kind, record):
                if reference.role == "lié" and reference.target == record.id:
                    yield _error(record, reference.path, "un dispositif ne peut pas être lié à lui-même")
                    continue
                error = _resolve(corpus, record, reference)
                if error is not None:
                    yield error


def check_status_timeline(corpus: Corpus) -> Iterator[RecordError]:
    """The status timeline reads oldest first, one entry a day; what is said
    from the date in force onwards is written down."""
    today = corpus.today
    for record in corpus.of_kind("dispositif").values():
        timeline = record.model.historique_statut  # type: ignore[attr-defined]
        ordered = True
        for i in range(1, len(timeline)):
            previous, entry = timeline[i - 1], timeline[i]
            if entry.date < previous.date:
                ordered = False
                yield _error(
                    record, ("historique_statut", i, "date"),
                    f"entrée du {format_date_fr(entry.date)}, antérieure à l'entrée précédente "
                    f"({format_date_fr(previous.date)})",
                    "la chronologie se lit du plus ancien au plus récent : ajoutez les nouvelles entrées à la fin",
                )
            elif entry.date == previous.date:
                ordered = False
                yield _error(
                    record, ("historique_statut", i, "date"),
                    f"deux entrées le {format_date_fr(entry.date)} : une seule entrée par jour",
                    "regroupez-les en une entrée, ou datez la nouvelle du jour où elle prend effet",
                )
        for i, entry in enumerate(timeline):
            if entry.prochaine_mise_a_jour is not None and entry.prochaine_mise_a_jour < entry.date:
                yield _error(
                    record, ("historique_statut", i, "prochaine_mise_a_jour"),
                    f"prochaine mise à jour le {format_date_fr(entry.prochaine_mise_a_jour)}, "
                    f"avant la date de l'entrée ({format_date_fr(entry.date)})",
                    "la prochaine information est annoncée après la prise d'effet de l'entrée",
                )
        if not ordered:
            continue  # which entry is in force is not known yet
        current, future = split_timeline(timeline, today)
        if current is None:
            yield _error(
                record, ("historique_statut", 0, "date"),
                f"aucune entrée n'est en vigueur le {format_date_fr(today)} : la première est datée du "
                f"{format_date_fr(timeline[0].date)}",
                "commencez la chronologie au plus tard aujourd'hui (par exemple « etat: annonce » "
                "pour un dispositif annoncé mais pas encore ouvert)",
            )
        for i in ([current] if current is not None else []) + future:
            entry = timeline[i]
            if entry.elements_de_langage is None:
                when = "en vigueur" if i == current else f"programmée au {format_date_fr(entry.date)}"
                yield _error(
                    record, ("historique_statut", i),
                    f"l'entrée {when} n'a pas d'éléments de langage : ce qu'il faut dire à l'appelant "
                    "à partir de cette date manque",
                    "ajoutez « elements_de_langage: » à cette entrée, avec la phrase à dire mot pour mot",
                )


def check_glossary(corpus: Corpus) -> Iterator[RecordError]:
    glossary = corpus.glossary
    if glossary is None:
        return
    seen: dict[str, int] = {}
    for i, term in enumerate(glossary.model.termes):  # type: ignore[attr-defined]
        key = term.sigle.casefold()
        if key in seen:
            first_line, _ = glossary.loaded.position(("termes", seen[key], "sigle"))
            yield _error(
                glossary, ("termes", i, "sigle"),
                f"sigle « {term.sigle} » déjà défini ligne {first_line}",
                "fusionnez les deux définitions",
            )
        else:
            seen[key] = i


RULES: list[Callable[[Corpus], Iterator[RecordError]]] = [
    check_ids_match_files,
    check_reserved_ids,
    check_references,
    check_status_timeline,
    check_glossary,
]


def check_corpus(corpus: Corpus) -> list[RecordError]:
    errors: list[RecordError] = []
    for rule in RULES:
        errors.extend(rule(corpus))
    return errors
