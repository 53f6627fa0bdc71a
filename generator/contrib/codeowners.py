"""`.github/CODEOWNERS` from the records: who must approve a change.

Each record file is owned by the forge team of the referent site that holds
it (``equipe_forge`` on the site's record; the owner field of each kind is in
``records/kinds.py``), and a site's own record by its team. What is code, not
content (the generator and its templates, the configuration, the workflows,
the theme, the schemas, the contributor guide) is owned by the core team
alone, set in mkdocs.yml (``extra.reperes.equipe_coeur``).

GitHub applies the *last* pattern that matches a file: the file starts with
``*`` (everything: the core team), then the records, then the core paths, so
no record line can take a core path away from the core team.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import UsageError
from ..project import CONFIG_FILE, Project
from ..records.corpus import Corpus
from ..records.kinds import KINDS, owner_of
from ..records.models import FORGE_TEAM_PATTERN

CODEOWNERS_FILE = Path(".github") / "CODEOWNERS"
CORE_SETTING = "equipe_coeur"

# Paths reviewed by the core team only (after the records: they win).
CORE_PATHS = (
    "/generator/",
    "/tests/",
    "/.ci/",
    "/.github/",
    "/docs/theme/",
    "/docs/contribuer/",
    "/schemes/_schemas/",
    f"/{CONFIG_FILE}",
    "/pyproject.toml",
    "/constraints.txt",
    "/Makefile",
    "/.pre-commit-config.yaml",
    "/.pre-commit-hooks.yaml",
    "/.gitignore",
)

HEADER = """\
# Produit par « reperes codeowners » à partir des fiches : ne pas modifier à la main.
# Qui doit approuver une modification : GitHub applique la DERNIÈRE règle qui
# correspond à un fichier. D'abord tout le dépôt (l'équipe Repères), puis
# chaque fiche (l'équipe du site référent qui la tient, champ equipe_forge
# de schemes/sites/<id>.yml), enfin le code, les gabarits, la configuration
# et les flux de travail (l'équipe Repères seule).
"""


def core_team(project: Project) -> str:
    """The core team from mkdocs.yml; a UsageError saying how to set it otherwise."""
    value = project.settings.get(CORE_SETTING)
    if not isinstance(value, str) or not re.match(FORGE_TEAM_PATTERN, value):
        shown = f" (« {value} » invalide)" if value is not None else ""
        raise UsageError(
            f"équipe Repères introuvable dans {CONFIG_FILE}{shown}",
            f"ajoutez sous extra.reperes la ligne {CORE_SETTING}: \"@organisation/equipe\"",
        )
    return value


def codeowners_text(corpus: Corpus, core: str) -> str:
    """The content of CODEOWNERS for *corpus* (a valid one) and the *core* team."""
    sites = corpus.of_kind("site")
    teams = {ident: getattr(record.model, "equipe_forge", None) for ident, record in sites.items()}
    lines = [HEADER, "# Tout le dépôt", f"* {core}", ""]
    for kind in KINDS:
        owned = []
        for ident, record in sorted(corpus.of_kind(kind).items()):
            site = ident if kind == "site" else owner_of(kind, record.model)
            team = teams.get(site) if site else None
            if team:
                owners = team if team == core else f"{team} {core}" if kind == "site" else team
                owned.append(f"/{record.path} {owners}")
        if owned:
            title = ("la fiche de chaque site, par son équipe et l'équipe Repères" if kind == "site"
                     else "chaque fiche, par l'équipe de son site référent")
            lines += [f"# {KINDS[kind].label} : {title}", *owned, ""]
    lines += ["# Code, gabarits, configuration, flux de travail : l'équipe Repères seule", *(
        f"{path} {core}" for path in CORE_PATHS
    )]
    return "\n".join(lines) + "\n"
