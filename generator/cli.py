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
    check.add_argument(
        "chemins", nargs="*", metavar="CHEMIN",
        help="fiches à vérifier (les autres sont lues pour les références), ou un dossier de fiches "
        "(par défaut : schemes/ du projet, trouvé en remontant depuis le chemin ou le dossier courant)",
    )
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
        "--description", metavar="FICHIER",
        help="avec --base : la description de la pull request (sa ligne « Pourquoi: » vaut pour toute la "
        "demande) ; par défaut, sur GitHub Actions, celle de l'événement ($GITHUB_EVENT_PATH)",
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

    briefing = commands.add_parser(
        "briefing", help="préparer le point hebdo d'une semaine (brouillon sous docs/briefings/posts/)",
        description="Prépare ou met à jour le point hebdo d'une semaine ISO à partir de l'historique des fiches : "
        "éléments de langage, statuts, anomalies, partenaires et circuits, échéances, perturbations, revues. "
        "Ce que l'encadrement a écrit hors des parties produites est toujours gardé.",
    )
    briefing.add_argument(
        "--week", "--semaine", dest="week", metavar="AAAA-Wss",
        help="semaine ISO, par exemple 2026-W49 (par défaut : la semaine dernière, heure de Paris)",
    )
    briefing.add_argument("--auteur", metavar="ID", help="auteur déclaré dans docs/briefings/.authors.yml "
                          "(par défaut : encadrement)")
    briefing.add_argument("--allow-shallow", action="store_true", help="accepter un clone superficiel (historique partiel)")
    briefing.add_argument("--debug", action="store_true", help="afficher la trace complète d'une erreur interne")

    codeowners = commands.add_parser(
        "codeowners", help="écrire .github/CODEOWNERS à partir des sites référents des fiches",
        description="Écrit .github/CODEOWNERS : chaque fiche est relue par l'équipe de son site référent "
        "(champ equipe_forge), le code, les gabarits, la configuration et les flux de travail par l'équipe "
        "Repères (extra.reperes.equipe_coeur de mkdocs.yml).",
    )
    codeowners.add_argument("--check", action="store_true", help="vérifier seulement que le fichier est à jour")
    codeowners.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    new = commands.add_parser(
        "new", help="créer une fiche valide, chaque champ commenté (dispositif, partenaire, outil, site, guide)",
        description="Crée une fiche qui passe la vérification : chaque champ est précédé de sa description, "
        "les champs obligatoires ont une valeur à compléter, les facultatifs sont en commentaire.",
    )
    new.add_argument("type", metavar="TYPE", choices=["dispositif", "partenaire", "outil", "site", "guide"],
                     help="dispositif, partenaire, outil, site ou guide")
    new.add_argument("id", metavar="ID", help="identifiant : minuscules sans accent, chiffres et tirets")
    new.add_argument("--site", metavar="SITE", help="site référent qui tiendra la fiche (par défaut : le premier)")
    new.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    why = commands.add_parser(
        "pourquoi", help="vérifier qu'un message de commit qui modifie des fiches dit pourquoi (crochet commit-msg)",
        description="Lit le message du commit en préparation (fichier donné par git au crochet commit-msg) et "
        "refuse le commit s'il modifie des fiches sans ligne « Pourquoi: ».",
    )
    why.add_argument("message", metavar="FICHIER", help="fichier du message (.git/COMMIT_EDITMSG)")
    why.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)

    _add_publish(commands)

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


def _check_target(args: argparse.Namespace, project: Project) -> tuple[Path, set[str] | None, str]:
    """(folder of the records, the files to report on or None for all, the folder as shown)."""
    paths = [Path(name) for name in args.chemins]
    if not paths:
        return project.schemes, None, project.shown(project.schemes)
    for path, name in zip(paths, args.chemins):
        if not path.exists():
            what = "fichier" if path.suffix else "dossier"
            raise UsageError(f"{what} « {name} » introuvable")
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0], None, args.chemins[0]
    if any(path.is_dir() for path in paths):
        raise UsageError("donnez soit un seul dossier, soit des fichiers", "par exemple : reperes check schemes/aej.yml")
    outside = [name for path, name in zip(paths, args.chemins) if project.shown(path).startswith("/")]
    if outside:
        raise UsageError(
            f"« {outside[0]} » n'est pas dans le projet {project.root}",
            "vérifiez chaque fichier depuis le dossier de son propre dépôt",
        )
    return project.schemes, {project.shown(path) for path in paths}, project.shown(project.schemes)


def _cmd_check(args: argparse.Namespace, project: Project) -> int:
    from .records.corpus import load_corpus

    root, only, shown_root = _check_target(args, project)
    corpus = load_corpus(root, debug=args.debug, base=project.root, today=project.build_date())
    from .site.links import check_links

    corpus.errors.extend(check_links(corpus))  # internal links resolve before MkDocs
    errors = corpus.errors
    if args.base:
        from .history.policy import pull_request_problems

        errors = sorted(
            errors + pull_request_problems(
                project.root, args.base, allow_shallow=args.allow_shallow, description=_description(args),
            ),
            key=lambda e: (e.path, e.line, e.column, e.field, e.message),
        )
    if only is not None:
        errors = [error for error in errors if error.path in only]
    checked = len(only) if only is not None else corpus.files_checked
    if corpus.files_checked == 0 and not errors:
        raise InvalidError(f"aucune fiche dans « {shown_root} » : rien à vérifier")
    if args.format == "json":
        print(format_json(errors, checked))
    elif args.format == "github":
        from .contrib.github import annotation_lines, write_summary

        for line in annotation_lines(errors):
            print(line)
        write_summary(errors, checked)
    else:
        for error in errors:
            print(error.format_text())
    if errors:
        files = len({error.path for error in errors})
        summary = (
            f"{plural(len(errors), 'erreur')} dans {plural(files, 'fichier')} "
            f"({plural(checked, 'fichier vérifié', 'fichiers vérifiés')})"
        )
        print(summary, file=sys.stderr)
        return _invalid_code(errors)
    if only is not None:
        print(f"{plural(len(only), 'fichier sans erreur', 'fichiers sans erreur')}", file=sys.stderr)
        return EXIT_OK
    counts = {kind: len(records) for kind, records in corpus.records.items()}
    print(
        f"{plural(corpus.files_checked, 'fiche valide', 'fiches valides')} : "
        f"{plural(counts['dispositif'], 'dispositif')}, {plural(counts['partenaire'], 'partenaire')}, "
        f"{plural(counts['outil'], 'outil')}, {plural(counts['site'], 'site référent', 'sites référents')}"
        + (f", {plural(counts['guide'], 'guide')}" if counts["guide"] else "")
        + (f", {plural(counts['remontee'], 'remontée terrain', 'remontées terrain')}" if counts["remontee"] else "")
        + (", glossaire" if counts["glossaire"] else ""),
        file=sys.stderr,
    )
    return EXIT_OK


def _description(args: argparse.Namespace) -> str | None:
    """The pull request's description: --description FILE, else the event GitHub Actions saved."""
    from .contrib.description import read_description

    return read_description(Path(args.description) if args.description else None)


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


def _cmd_briefing(args: argparse.Namespace, project: Project) -> int:
    from .history.briefing import week_briefing
    from .history.weeks import last_week, parse_week
    from .records.briefings import parse_post
    from .site.briefing import MarkerError, write_briefing

    week = parse_week(args.week) if args.week else last_week(project.build_date())
    briefing = week_briefing(project.root, week, allow_shallow=args.allow_shallow)
    try:
        written = write_briefing(project.root, briefing, author=args.auteur)
    except MarkerError as exc:
        for error in exc.errors:
            print(error.format_text())
        _report(exc)
        return exc.exit_code
    shown = project.shown(written.path)
    if written.created:
        print(f"écrit : {shown} (point hebdo de la semaine {week.iso}, brouillon : « draft: true »)", file=sys.stderr)
    else:
        print(f"mis à jour : {shown} ({plural(written.refreshed, 'élément rafraîchi', 'éléments rafraîchis')}, "
              f"{plural(len(written.kept), 'élément modifié à la main conservé', 'éléments modifiés à la main conservés')})",
              file=sys.stderr)
    if briefing.partial:
        print("reperes : attention : clone superficiel, historique partiel", file=sys.stderr)
    relative = written.path.relative_to(project.root / "docs").as_posix()
    _, problems = parse_post(shown, relative, written.path.read_bytes())
    for problem in problems:
        print(problem.format_text())
    if problems:
        print(f"{plural(len(problems), 'erreur')} à corriger dans le point hebdo avant la pull request", file=sys.stderr)
        return EXIT_INVALID
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


def _start(args: argparse.Namespace) -> Path | None:
    """Where to look for the project: from the first path given (a file or a
    folder of the project, wherever the command runs), else the current folder."""
    for name in getattr(args, "chemins", None) or []:
        path = Path(name)
        if path.exists():
            return path if path.is_dir() else path.parent
    return None


def _cmd_codeowners(args: argparse.Namespace, project: Project) -> int:
    from .contrib.codeowners import CODEOWNERS_FILE, codeowners_text, core_team
    from .records.corpus import load_corpus

    core = core_team(project)
    corpus = load_corpus(project.schemes, debug=args.debug, base=project.root, today=project.build_date())
    if corpus.errors:
        print(
            f"reperes : {plural(len(corpus.errors), 'erreur')} dans les fiches : CODEOWNERS non produit ; "
            "lancez « make check » et corrigez-les d'abord",
            file=sys.stderr,
        )
        return _invalid_code(corpus.errors)
    target = project.root / CODEOWNERS_FILE
    text = codeowners_text(corpus, core)
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    if args.check:
        if current != text:
            print(f"{project.shown(target)}:1:1: fichier: pas à jour par rapport aux fiches ; lancez « reperes codeowners »")
            return EXIT_INVALID
        return EXIT_OK
    if current != text:
        from .scratch import write_atomically

        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, text)
    print(f"{'écrit' if current != text else 'à jour'} : {project.shown(target)}", file=sys.stderr)
    return EXIT_OK


def _cmd_new(args: argparse.Namespace, project: Project) -> int:
    from .contrib.scaffold import Scaffold, check_ident, pick_site, write_record
    from .records.kinds import KINDS

    check_ident(args.id, args.type)
    sites_folder = project.root / KINDS["site"].folder
    sites = sorted(path.stem for path in sites_folder.glob("*.yml")) if sites_folder.is_dir() else []
    site = pick_site(args.type, args.site, sites)
    target = write_record(project.root, Scaffold(args.type, args.id, site, project.build_date()))
    print(f"créé : {project.shown(target)}" + (f" (site référent : {site})" if site else ""), file=sys.stderr)
    print("complétez les valeurs « À compléter. », puis lancez « make check »", file=sys.stderr)
    return EXIT_OK


def _cmd_pourquoi(args: argparse.Namespace, project: Project) -> int:
    from .contrib.description import read_description
    from .history.policy import commit_message_problems

    problems = commit_message_problems(project.root, read_description(Path(args.message)) or "")
    for problem in problems:
        print(problem.format_text())
    if problems:
        print("commit refusé : ajoutez la raison au message, puis recommencez", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _add_publish(commands: argparse._SubParsersAction) -> None:
    publish = commands.add_parser(
        "publish", help="publier une édition du site (mike) sur la branche des éditions",
        description="Construit une édition avec les mêmes garanties que « reperes build » et la dépose "
        "sur la branche des éditions (mike). Sans --week : l'édition actuelle (HEAD, aujourd'hui), "
        "celle que « / » ouvre. Avec --week : ce que disait la base le lundi de cette semaine "
        "(fiches du dernier commit avant ce lundi 0 h, heure de Paris, en vigueur ce jour-là).",
    )
    publish.add_argument("--week", metavar="AAAA-Wss", help="semaine ISO de l'édition, par exemple 2026-W49")
    publish.add_argument(
        "--date", metavar="AAAA-MM-JJ",
        help="le jour de la publication (par défaut : aujourd'hui, heure de Paris) : l'édition actuelle "
        "est construite pour ce jour, et seule une semaine déjà commencée ce jour-là peut être publiée",
    )
    publish.add_argument("--branche", default=None, help="branche des éditions (par défaut : editions)")
    publish.add_argument(
        "--distant", metavar="DÉPÔT",
        help="dépôt distant à relire avant et à mettre à jour après (par exemple origin) ; sans lui, "
        "seule la branche locale change",
    )
    publish.add_argument(
        "--garder", type=_count, metavar="N",
        help="ne garder que les N éditions hebdomadaires les plus récentes et resserrer la branche "
        "en un seul commit",
    )
    publish.add_argument("--debug", action="store_true", help="afficher la trace complète d'une erreur interne")


def _count(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"« {text} » n'est pas un nombre entier")
    return int(text)


def _cmd_publish(args: argparse.Namespace, project: Project) -> int:
    from .site.editions import BRANCH, CURRENT, parse_week, publish

    week = parse_week(args.week) if args.week else None
    result = publish(
        project, week, branch=args.branche or BRANCH, remote=args.distant, keep=args.garder, debug=args.debug,
        say=lambda message: print(f"reperes : {message}", file=sys.stderr),
    )
    target = result.target
    done = "déjà publiée, inchangée" if result.unchanged else "publiée"
    name = "édition actuelle" if target.version == CURRENT else f"édition {target.version} « {target.title} »"
    print(
        f"{name} {done} sur la branche {args.branche or BRANCH} "
        f"(commit {target.commit[:7]}, en vigueur le {target.date.strftime('%d/%m/%Y')})"
        + (f", envoyée à {args.distant}" if args.distant else ""),
        file=sys.stderr,
    )
    if result.removed:
        print(f"éditions retirées : {', '.join(result.removed)}", file=sys.stderr)
    if result.squashed:
        print("branche resserrée en un seul commit", file=sys.stderr)
    print(f"éditions : {', '.join(result.versions)}", file=sys.stderr)
    return EXIT_OK


def _report(exc: ReperesError) -> None:
    print(f"reperes : erreur : {exc.message}" + (f" ; {exc.hint}" if exc.hint else ""), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    handler = {
        "check": _cmd_check, "build": _cmd_build, "diff": _cmd_diff, "schema": _cmd_schema,
        "codeowners": _cmd_codeowners, "new": _cmd_new, "pourquoi": _cmd_pourquoi,
        "publish": _cmd_publish, "briefing": _cmd_briefing,
    }[args.command]
    try:
        date = parse_date(args.date) if getattr(args, "date", None) else None
        return handler(args, Project.find(_start(args), date=date))
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
