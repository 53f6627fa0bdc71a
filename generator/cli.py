"""The `reperes` command line: the only place that prints and picks exit codes.

Exit codes, the same in every command: 0 all good, 1 invalid records or a
failed build, 2 usage or environment (see errors.UsageError), 3 internal error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import (
    INTERNAL_HINT,
    InternalError,
    InternalRecordError,
    InvalidError,
    RecordError,
    ReperesError,
    UsageError,
    format_json,
)
from .fr import plural
from .project import Project, parse_date

EXIT_OK = 0
EXIT_INVALID = InvalidError.exit_code
EXIT_USAGE = UsageError.exit_code
EXIT_INTERNAL = InternalError.exit_code

# argparse's own words, in French.
_ARGPARSE_FR = {
    "usage: ": "usage : ",
    "positional arguments": "arguments",
    "options": "options",
    "show this help message and exit": "afficher cette aide et quitter",
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "the following arguments are required: %s": "argument obligatoire manquant : %s",
    "unrecognized arguments: %s": "argument inconnu : %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "choix invalide : %(value)r (choix possibles : %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "expected one argument": "une valeur est attendue",
    "ambiguous option: %(option)s could match %(matches)s": "option ambiguë : %(option)s peut désigner %(matches)s",
    "show program's version number and exit": "afficher la version et quitter",
}


def _translate(message: str) -> str:
    return _ARGPARSE_FR.get(message, message)


argparse._ = _translate  # type: ignore[attr-defined]  # argparse looks `_` up at call time


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog} : erreur : {message}\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reperes",
        description="Repères : vérifier les fiches (dispositifs, partenaires, outils) et produire le site.",
    )
    parser.add_argument("--version", action="version", version=f"reperes {__version__}", help="afficher la version et quitter")
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE", parser_class=_Parser)

    check = commands.add_parser(
        "check", help="vérifier toutes les fiches et afficher chaque problème",
        description="Vérifie toutes les fiches et affiche chaque problème sous la forme fichier:ligne:colonne: champ: message.",
    )
    check.add_argument("dossier", nargs="?", default=None, help="dossier des fiches (par défaut : schemes/ du projet)")
    check.add_argument(
        "--format", choices=["texte", "text", "github", "json"], default="texte",
        help="texte (par défaut), github (annotations de pull request) ou json",
    )
    check.add_argument(
        "--base", metavar="REV",
        help="mode pull request : refuser aussi ce que la branche fait depuis REV (raison manquante, "
        "historique réécrit, fiche supprimée, identifiant réutilisé)",
    )
    check.add_argument(
        "--date", metavar="AAAA-MM-JJ",
        help="lire les chronologies de statut à cette date (par défaut : aujourd'hui, heure de Paris)",
    )
    check.add_argument("--allow-shallow", action="store_true", help="accepter un clone superficiel (historique partiel)")
    check.add_argument("--debug", action="store_true", help="afficher la trace complète d'une erreur interne")

    diff = commands.add_parser(
        "diff", help="résumer en Markdown les modifications des fiches entre deux révisions",
        description="Résume en Markdown, champ par champ, les modifications des fiches entre BASE et HEAD, "
        "avec leurs raisons (ligne « Pourquoi: » des commits).",
    )
    diff.add_argument("base", metavar="BASE", help="révision de départ (par exemple origin/main)")
    diff.add_argument("head", metavar="HEAD", nargs="?", default="HEAD", help="révision d'arrivée (par défaut : HEAD)")
    diff.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    build = commands.add_parser(
        "build", help="vérifier les fiches, produire les pages puis construire le site dans site/",
        description="Vérifie les fiches, produit les pages Markdown (docs/genere/) puis construit le site "
        "avec MkDocs (mode strict) dans site/. En cas d'échec, le site précédent reste en place.",
    )
    build.add_argument(
        "--date", metavar="AAAA-MM-JJ",
        help="construire le site tel qu'il sera (ou était) ce jour-là : statuts, montants et revues en vigueur "
        "à cette date (par défaut : aujourd'hui, heure de Paris)",
    )
    build.add_argument("--allow-shallow", action="store_true", help="accepter un clone superficiel (historique signalé comme partiel)")
    build.add_argument(
        "--moteur", choices=("mkdocs", "zensical"), default="mkdocs",
        help="construire avec MkDocs (par défaut) ou avec Zensical (make zensical-install), mêmes vérifications",
    )
    build.add_argument("--debug", action="store_true", help="afficher la trace complète d'une erreur interne")

    schema = commands.add_parser(
        "schema", help="écrire le schéma JSON de chaque type de fiche",
        description="Écrit le schéma JSON de chaque type de fiche, lu par les éditeurs pour compléter et valider pendant la saisie.",
    )
    schema.add_argument(
        "--sortie", default=None, help="dossier de sortie (par défaut : schemes/_schemas)",
    )
    schema.add_argument("--check", action="store_true", help="vérifier seulement que les schémas sont à jour")
    schema.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _cmd_check(args: argparse.Namespace, project: Project) -> int:
    from .records.corpus import load_corpus

    root = Path(args.dossier) if args.dossier else project.schemes
    if not root.is_dir():
        raise UsageError(f"dossier « {args.dossier or project.shown(root)} » introuvable")
    corpus = load_corpus(root, debug=args.debug, base=project.root, today=project.build_date())
    from .site.links import check_links

    corpus.errors.extend(check_links(corpus))  # internal links resolve before MkDocs
    errors = corpus.errors
    if args.base:
        from .history.policy import pull_request_problems

        errors = sorted(
            errors + pull_request_problems(project.root, args.base, allow_shallow=args.allow_shallow),
            key=lambda e: (e.path, e.line, e.column, e.field, e.message),
        )
    if corpus.files_checked == 0 and not errors:
        raise InvalidError(f"aucune fiche dans « {args.dossier or project.shown(root)} » : rien à vérifier")
    if args.format == "json":
        print(format_json(errors, corpus.files_checked))
    else:
        for error in errors:
            print(error.format_github() if args.format == "github" else error.format_text())
    if errors:
        files = len({error.path for error in errors})
        summary = (
            f"{plural(len(errors), 'erreur')} dans {plural(files, 'fichier')} "
            f"({plural(corpus.files_checked, 'fichier vérifié', 'fichiers vérifiés')})"
        )
        print(summary, file=sys.stderr)
        return _invalid_code(errors)
    counts = {kind: len(records) for kind, records in corpus.records.items()}
    print(
        f"{plural(corpus.files_checked, 'fiche valide', 'fiches valides')} : "
        f"{plural(counts['dispositif'], 'dispositif')}, {plural(counts['partenaire'], 'partenaire')}, "
        f"{plural(counts['outil'], 'outil')}, {plural(counts['site'], 'site référent', 'sites référents')}"
        + (f", {plural(counts['guide'], 'guide')}" if counts["guide"] else "")
        + (", glossaire" if counts["glossaire"] else ""),
        file=sys.stderr,
    )
    return EXIT_OK


def _invalid_code(errors: Sequence[RecordError]) -> int:
    """Invalid records exit 1; a bug met while reading one exits as internal errors do."""
    if any(isinstance(error, InternalRecordError) for error in errors):
        return InternalError.exit_code
    return InvalidError.exit_code


def _cmd_build(args: argparse.Namespace, project: Project) -> int:
    from .site.build import build_site
    from .site.zensical import build_with_zensical

    builder = build_with_zensical if args.moteur == "zensical" else build_site
    try:
        result = builder(project.root, debug=args.debug, allow_shallow=args.allow_shallow, today=project.date)
    except ReperesError as exc:
        _report(exc)
        print("reperes : le site précédent est resté en place", file=sys.stderr)
        return exc.exit_code
    if result.corpus.errors:
        for error in result.corpus.errors:
            print(error.format_text())
        print(
            f"{plural(len(result.corpus.errors), 'erreur')} : site non construit, le site précédent reste en place",
            file=sys.stderr,
        )
        return _invalid_code(result.corpus.errors)
    for warning in result.history.warnings if result.history else []:
        print(f"reperes : attention : {warning}", file=sys.stderr)
    if result.history is not None and result.history.partial:
        print("reperes : attention : clone superficiel, historique partiel (signalé sur le site)", file=sys.stderr)
    print(
        f"site construit dans {project.shown(project.site)}/ "
        f"({plural(len(result.written), 'page réécrite', 'pages réécrites')}, "
        f"{plural(len(result.removed), 'page supprimée', 'pages supprimées')})",
        file=sys.stderr,
    )
    return EXIT_OK


def _cmd_diff(args: argparse.Namespace, project: Project) -> int:
    from .history.report import describe_range
    from .site.markdown import md_inline

    print(describe_range(project.root, args.base, args.head, inline=md_inline), end="")
    return EXIT_OK


def _cmd_schema(args: argparse.Namespace, project: Project) -> int:
    from .contrib.schema import REFERENCE_DOC, reference_is_stale, stale_schemas, write_reference, write_schemas

    folder = Path(args.sortie) if args.sortie else project.schemas
    reference = folder.parent.parent / REFERENCE_DOC if args.sortie else project.root / REFERENCE_DOC
    if args.check:
        stale = stale_schemas(folder)
        if reference_is_stale(reference):
            stale.append(reference)
        for path in stale:
            print(f"{project.shown(path)}:1:1: fichier: pas à jour par rapport aux modèles ; lancez « reperes schema »")
        return EXIT_INVALID if stale else EXIT_OK
    written = write_schemas(folder)
    written.append(write_reference(reference))
    for path in written:
        print(f"écrit : {project.shown(path)}", file=sys.stderr)
    return EXIT_OK


def _report(exc: ReperesError) -> None:
    print(f"reperes : erreur : {exc.message}" + (f" ; {exc.hint}" if exc.hint else ""), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    handler = {"check": _cmd_check, "build": _cmd_build, "diff": _cmd_diff, "schema": _cmd_schema}[args.command]
    try:
        date = parse_date(args.date) if getattr(args, "date", None) else None
        return handler(args, Project.find(date=date))
    except KeyboardInterrupt:
        print("reperes : interrompu", file=sys.stderr)
        return 130
    except ReperesError as exc:
        _report(exc)
        return exc.exit_code
    except Exception as exc:  # noqa: BLE001 - no traceback reaches a user
        if getattr(args, "debug", False):
            raise
        print(f"reperes : erreur interne ({type(exc).__name__}: {exc}) ; {INTERNAL_HINT}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
