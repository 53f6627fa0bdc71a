"""The record kinds, as Pydantic models: the single source of truth.

The JSON Schema given to editors, the contributor guide's field list and the
checker all come from these classes. Each field's docstring is the French
description shown to the people who edit records.

Models only check what one record can tell about itself; rules across records
(references resolve, ids unique) live in ``checks.py``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic import (
    Strict as StrictMode,
)
from pydantic_core import PydanticCustomError

from ..fr import format_date_fr
from . import markdown as _markdown
from .budget import HINT as BUDGET_HINT
from .budget import budget_problem

# --- shared field types -------------------------------------------------------

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_RE = re.compile(SLUG_PATTERN)
SLUG_MAX = 63

# Names that cannot be files on Windows, whatever the extension.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _invalid(kind: str, message: str, hint: str | None = None, **context: Any) -> PydanticCustomError:
    """A French validation error; its hint travels as a field of the context
    (``ctx["hint"]``, read by validation.translate), never inside the message.
    A rule of a whole object may name the field to fix as ``at="champ"``: the
    error is then shown at that field's line."""
    # The hint first: pydantic fills the template key by key, so text put in
    # by a later key (a contributor's value) is never read as a template.
    return PydanticCustomError(kind, message, ({"hint": hint} if hint else {}) | context or None)


def _check_slug(value: str) -> str:
    if not SLUG_RE.match(value):
        lowered = value.lower()
        hint = f"écrivez-le en minuscules : « {lowered} »" if lowered != value and SLUG_RE.match(lowered) \
            and lowered not in WINDOWS_RESERVED and len(lowered) <= SLUG_MAX else None
        raise _invalid(
            "slug",
            "identifiant « {value} » invalide : uniquement des minuscules sans accent, des chiffres et des tirets (par exemple « aide-embauche-jeunes »)",
            hint, value=value,
        )
    if len(value) > SLUG_MAX:
        raise PydanticCustomError(
            "slug_long",
            "identifiant trop long ({length} caractères ; maximum {max})",
            {"length": len(value), "max": SLUG_MAX},
        )
    if value in WINDOWS_RESERVED:
        raise _invalid("slug_reserve", "identifiant « {value} » réservé par Windows", "choisissez-en un autre", value=value)
    return value


Slug = Annotated[
    str,
    AfterValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX}),
]

# What contributor Markdown holds is found by .markdown (linear time, code
# exempt only when certain); these names are kept for the callers.
_HTML_TAG = _markdown._TAG_START
_AUTOLINK = _markdown.AUTOLINK
LINK_OPEN = _markdown.LINK_OPEN
_BARE_HTTP = re.compile(r"(?<![\w/])http://\S+", re.I)
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")

ALLOWED_SCHEMES = {"https", "mailto", "tel"}
_SCHEME_HINT = "seuls https:, mailto:, tel: et les liens internes sont acceptés"


def link_problem(target: str, shown: str | None = None) -> tuple[str, str | None] | None:
    """Why *target* may not be a link in a record (message, hint), or None if it may.

    Allowed: https, mailto, tel, and relative links (paths and anchors).
    Entities and invisible characters are removed before looking at the
    scheme, so ``jav&#x09;ascript:`` is seen for what it is. *shown* is what
    the message quotes (by default the target itself).
    """
    shown = target if shown is None else shown
    cleaned = html.unescape(target)
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", cleaned).lower()
    if cleaned.startswith("//") or cleaned.startswith("\\\\"):
        return f"lien « {shown} » vers un autre site sans https", "écrivez l'adresse complète en https://"
    if cleaned.startswith(("/", "\\")):
        return f"lien absolu « {shown} »", "écrivez un lien relatif à la page (par exemple ../dispositifs/aej.md)"
    match = _SCHEME.match(cleaned)
    if match is None:
        if "&#" in target or "%" in target.split("#")[0][:12] and ":" in html.unescape(target):
            return f"lien « {shown} » illisible (caractères encodés)", None
        if ":" in re.split(r"[/?#]", cleaned, maxsplit=1)[0]:
            # Not a scheme for a URL parser (a look-alike letter, "ја:"), not
            # a path either: MkDocs would refuse it as a broken relative link.
            return f"lien « {shown} » interdit (adresse avec « : » qui n'est pas un schéma accepté)", _SCHEME_HINT
        return None
    scheme = match.group(1)
    if scheme == "https":
        try:
            host = urllib.parse.urlsplit(cleaned).netloc
        except ValueError:  # « https://[ » : no host a reader could check
            return f"lien « {shown} » illisible (nom de site)", None
        if "@" in host:  # « https://www.service-public.fr@evil.example/ » leads to evil.example
            return (f"lien « {shown} » trompeur : il contient un identifiant avant « @ » et mène en fait au site "
                    f"« {host.rsplit('@', 1)[1]} »", "écrivez l'adresse du site sans identifiant")
    if scheme in ALLOWED_SCHEMES:
        return None
    if scheme == "http":
        return f"lien non sécurisé « {shown} »", "utilisez https://"
    return f"lien « {shown} » interdit (schéma « {scheme}: »)", _SCHEME_HINT


def link_targets(text: str) -> list[str]:
    """Targets of inline Markdown links ``[x](target "title")``, as written.

    A target may run over a line break (browsers drop line breaks from URLs,
    so ``java<newline>script:`` is a live javascript: link): see
    ``markdown.Scan.links`` for what decides.
    """
    return [link.shown for link in _markdown.Scan(text, code=False).links()]


def html_problem(text: str) -> tuple[str, str] | None:
    """(message, offending tag) when *text* holds HTML; autolinks are not HTML."""
    found = _markdown.Scan(text, code=False).html()
    if not found:
        return None
    shown = found[0][1]
    return f"HTML interdit (« {shown} ») : écrivez du texte simple, le HTML ne serait pas affiché", shown


def _image_text(value: str, image: _markdown.Link) -> str:
    """The image as written, from its « ![ » to its closing parenthesis."""
    start = value.rfind("![", 0, image.offset)
    end = value.find(")", image.offset)
    return value[start: end + 1 if end >= 0 else len(value)]


def _check_text(value: str) -> str:
    if not value or value.isspace():  # what strip() would leave empty, without copying every text
        raise PydanticCustomError("texte_vide", "texte vide")
    over = budget_problem(value)
    if over:
        raise _invalid("budget", "{detail}", BUDGET_HINT, detail=over[1])
    if "<" not in value and "]" not in value and not (
        # « http » in any case holds one of these four (substring searches: faster than the pattern)
        ("tp" in value or "TP" in value or "tP" in value or "Tp" in value) and _HTTP.search(value)
    ):
        return value  # no tag, no link: nothing more to look at
    problem = html_problem(value)
    if problem:
        raise PydanticCustomError("html", problem[0])
    scan = _markdown.Scan(value, code=False)
    links = scan.links()
    image = next((link for link in links if link.image), None)
    if image is not None:
        raise _invalid(
            "image", "image interdite (« {image} ») : une image serait chargée depuis un autre site",
            "écrivez un lien [texte](https://…) à la place", image=_image_text(value, image)[:40],
        )
    targets = [(link.target, link.shown) for link in links]
    targets += [(target, target) for _, target in scan.autolinks()]
    targets += [(target, target) for _, _, target in scan.reference_definitions()]
    for target, shown in targets:
        problem = link_problem(target, shown)
        if problem:
            raise _invalid("lien", "{detail}", problem[1], detail=problem[0])
    for link in links:
        # A record's text shows on several pages (its own, the board, a partner's
        # page…): a relative link would be right on one of them at most, and the
        # build refuses a broken one.
        scheme = _SCHEME.match(link.target.strip().lower())
        if scheme is None or scheme.group(1) not in ALLOWED_SCHEMES:
            raise _invalid(
                "lien", "lien interne « {target} » : le texte d'une fiche paraît sur plusieurs pages",
                "pour renvoyer à une autre fiche, utilisez les champs prévus (dispositifs_lies, outil, "
                "partenaire…) ; sinon, une adresse complète en https://", target=link.shown[:60],
            )
    bare = _BARE_HTTP.search(value)
    if bare:
        raise _invalid("lien", "lien non sécurisé « {url} »", "utilisez https://", url=bare.group())
    return value


Texte = Annotated[str, Field(min_length=1), AfterValidator(_check_text)]

# Glossary terms end up on every page (abbreviation definitions): one line each,
# nothing Markdown could read.
SIGLE_MAX = 30
_SIGLE_PUNCTUATION = set("-.&'’/+ ")
_PLAIN_FORBIDDEN = set("<>[]{}*_`|\\#")


def _check_sigle(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("texte_vide", "texte vide")
    if "\n" in value.strip() or "\r" in value:
        raise PydanticCustomError("sigle", "le sigle tient sur une ligne")
    bad = next((c for c in value.strip() if not (c.isalnum() or c in _SIGLE_PUNCTUATION)), None)
    if bad is not None or not value.strip()[0].isalnum():
        shown = bad if bad is not None else value.strip()[0]
        raise PydanticCustomError(
            "sigle", "caractère « {char} » interdit dans un sigle ; lettres, chiffres, espaces et « - . & ' / + » seulement",
            {"char": shown},
        )
    if len(value.strip()) > SIGLE_MAX:
        raise PydanticCustomError("sigle", "sigle trop long ({length} caractères ; maximum {max})",
                                  {"length": len(value.strip()), "max": SIGLE_MAX})
    return value


def _check_plain_line(value: str) -> str:
    if "\n" in value.strip() or "\r" in value:
        raise PydanticCustomError("une_ligne", "texte sur une seule ligne attendu")
    bad = next((c for c in value if c in _PLAIN_FORBIDDEN or (c < " " and c != "\t")), None)
    if bad is not None:
        raise PydanticCustomError(
            "texte_simple", "caractère « {char} » interdit ici : texte simple, sans mise en forme ni lien",
            {"char": bad if bad >= " " else f"U+{ord(bad):04X}"},
        )
    return value


Sigle = Annotated[str, Field(min_length=1), AfterValidator(_check_sigle)]
Developpement = Annotated[str, Field(min_length=1), AfterValidator(_check_text), AfterValidator(_check_plain_line)]


def _check_three_lines(value: str) -> str:
    lines = value.strip().splitlines()
    if len(lines) > 3:
        raise _invalid("resume", "le résumé fait {count} lignes", "trois lignes au plus", count=len(lines))
    return value


# What an address may not hold: Markdown or HTML would read these as the end of
# the address or as markup. Parentheses are allowed when they pair up.
_URL_FORBIDDEN = "<>\"'`\\"
_BLANK = re.compile(r"\s")
_HTTP = re.compile("http", re.IGNORECASE)  # "http" in value.lower(), without the copy
_URL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_URL_HOST = re.compile(r"^[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.?$")  # a final dot is a full name


# An address every rule below accepts, at a glance: https, a plain host name
# (labels of letters, digits and inner hyphens), no port, no credentials, then
# only characters none of the rules looks at (no blank, control, quote,
# bracket or parenthesis). Anything else goes through the rules one by one.
_PLAIN_URL = re.compile(
    r"https://[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"(?:[/?#][A-Za-z0-9._~/?#=&%+:;,!*$@-]*)?\Z"
)


def url_problem(value: str) -> tuple[str, str | None] | None:
    """Why *value* is not an https:// address we publish as it is (message, hint), or None.

    Parsed with urllib.parse: https scheme, a real host, no credentials, no
    whitespace or control character, none of < > " ' ` \\, balanced parentheses.
    """
    return None if _PLAIN_URL.match(value) else url_rules(value)


def url_rules(value: str) -> tuple[str, str | None] | None:
    """url_problem's rules, one by one (what an address outside _PLAIN_URL goes through)."""
    if not value.lower().startswith("https://") or len(value) <= len("https://"):
        problem = link_problem(value)
        if problem and "http" in value.lower()[:5] and not value.lower().startswith("https"):
            return problem
        return f"adresse « {value} » invalide : une adresse web complète commençant par https:// est attendue", None
    if _BLANK.search(value):
        return f"adresse « {value} » invalide : elle contient une espace", None
    control = _URL_CONTROL.search(value)
    if control:
        return f"adresse « {value!r} » invalide : elle contient un caractère de contrôle (U+{ord(control.group()):04X})", None
    forbidden = next((char for char in value if char in _URL_FORBIDDEN), None)
    if forbidden:
        return f"adresse « {value} » invalide : le caractère « {forbidden} » n'a pas sa place dans une adresse", None
    depth = 0
    for char in value if "(" in value or ")" in value else "":
        depth += 1 if char == "(" else -1 if char == ")" else 0
        if depth < 0:
            break
    if depth:
        return f"adresse « {value} » invalide : ses parenthèses ne vont pas par paires", None
    try:
        parts = urllib.parse.urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"adresse « {value} » invalide : nom de site ou port illisible", None
    if "@" in parts.netloc:
        return (f"adresse « {value} » invalide : elle contient un identifiant avant « @ » et mène en fait "
                f"au site « {parts.hostname} »", "écrivez l'adresse du site sans identifiant")
    if not parts.hostname or not _URL_HOST.match(parts.hostname):
        return f"adresse « {value} » invalide : nom de site manquant ou illisible après https://", None
    return None


def _check_https(value: str) -> str:
    problem = url_problem(value)
    if problem:
        raise _invalid("url", "{detail}", problem[1], detail=problem[0])
    return value


Url = Annotated[
    str,
    AfterValidator(_check_https),
    WithJsonSchema({"type": "string", "pattern": "^https://[^\\s<>\"'`\\\\@/]+(?:[/?#][^\\s<>\"'`\\\\]*)?$",
                    "format": "uri"}),
]

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _parse_date(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return value  # the strict date validator reports the type
    match = _ISO_DATE.match(value)
    if match:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError(
                "date_invalide", "date « {value} » invalide : ce jour n'existe pas", {"value": value}
            ) from None
    french = _FRENCH_DATE.match(value)
    if french:
        day, month, year = french.groups()
        iso = f"{year}-{int(month):02d}-{int(day):02d}"
        raise _invalid("date_format", "date « {value} » au mauvais format", f"écrivez {iso} (année-mois-jour)", value=value)
    raise _invalid(
        "date_format", "date « {value} » au mauvais format", "écrivez AAAA-MM-JJ, par exemple 2025-11-01", value=value
    )


# Dates a record may hold: older ones are typing errors, later ones would overflow
# date arithmetic (a review date 9999-12-31 + 90 days) and hang the site's tools.
DATE_MIN = dt.date(1990, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)


def _check_date_range(value: dt.date) -> dt.date:
    if not DATE_MIN <= value <= DATE_MAX:
        raise PydanticCustomError(
            "date_plage", "date « {value} » hors de la plage acceptée ({min} à {max})",
            {"value": value.isoformat(), "min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
        )
    return value


Date = Annotated[
    dt.date,
    BeforeValidator(_parse_date),
    AfterValidator(_check_date_range),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]

Etiquette = Annotated[
    str,
    AfterValidator(_check_slug),
    WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN, "maxLength": SLUG_MAX}),
]


class LabelledEnum(str, Enum):
    """A closed vocabulary: the YAML value, plus a French label for the site."""

    label: str

    def __new__(cls, value: str, label: str) -> LabelledEnum:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj


class Etat(LabelledEnum):
    """État du déploiement d'un dispositif, comme sur une page de statut."""

    annonce = ("annonce", "Annoncé")
    en_deploiement = ("en_deploiement", "En déploiement")
    ouvert = ("ouvert", "Ouvert")
    perturbe = ("perturbe", "Perturbé")
    paiements_bloques = ("paiements_bloques", "Paiements bloqués")
    ferme = ("ferme", "Fermé")


class Domaine(LabelledEnum):
    """Famille de dispositifs, pour regrouper le tableau de bord."""

    alternance = ("alternance", "Alternance")
    embauche = ("embauche", "Aides à l'embauche")
    activite_partielle = ("activite_partielle", "Activité partielle")
    insertion = ("insertion", "Insertion")
    jeunes = ("jeunes", "Accompagnement des jeunes")


class TypePartenaire(LabelledEnum):
    """Nature d'un partenaire."""

    asp = ("asp", "ASP")
    opco = ("opco", "OPCO")
    ddets_dreets = ("ddets_dreets", "DDETS / DREETS")
    france_travail = ("france_travail", "France Travail")
    urssaf = ("urssaf", "URSSAF")
    mission_locale = ("mission_locale", "Mission locale")
    cap_emploi = ("cap_emploi", "Cap emploi")
    cfa = ("cfa", "CFA")
    ministere = ("ministere", "Ministère")
    operateur_public = ("operateur_public", "Opérateur public")
    autre = ("autre", "Autre")


class EtatAnomalie(LabelledEnum):
    """État d'une anomalie connue."""

    ouverte = ("ouverte", "En cours")
    resolue = ("resolue", "Résolue")


class Canal(LabelledEnum):
    """Moyen de contact."""

    telephone = ("telephone", "Téléphone")
    site = ("site", "Site web")
    courriel = ("courriel", "Courriel")
    courrier = ("courrier", "Courrier")
    formulaire = ("formulaire", "Formulaire en ligne")


class EtatRemontee(LabelledEnum):
    """Où en est une remontée du terrain."""

    recue = ("recue", "Reçue")
    a_l_etude = ("a_l_etude", "À l'étude")
    integree = ("integree", "Intégrée")
    refusee = ("refusee", "Refusée")


class CanalReponse(LabelledEnum):
    """Forme d'un modèle de réponse."""

    courriel = ("courriel", "Courriel")
    courrier = ("courrier", "Courrier")


# Actors of a circuit step that are not partner records.
ACTEURS = {"employeur": "L'employeur", "beneficiaire": "Le bénéficiaire"}


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        use_attribute_docstrings=True,
        validate_default=False,
    )


# --- parts of a scheme --------------------------------------------------------


class Reference(Strict):
    """Texte officiel ou page de référence."""

    titre: Texte
    """Titre de la page ou du texte (par exemple « Décret n° 2020-982 »)."""
    url: Url
    """Adresse complète, en https://."""
    consulte_le: Date | None = None
    """Date à laquelle la source a été consultée (AAAA-MM-JJ)."""


class Eligibilite(Strict):
    """Qui peut bénéficier du dispositif, et à quelles conditions."""

    beneficiaires: Texte
    """Qui est éligible (employeurs, jeunes…), en une ou deux phrases."""
    conditions: list[Texte] = []
    """Conditions essentielles, une par élément de liste."""
    source: Url | None = None
    """Source publique de ces informations."""


class PeriodeMontant(Strict):
    """Montant et règles en vigueur sur une période datée."""

    du: Date
    """Premier jour d'application (AAAA-MM-JJ)."""
    au: Date | None = None
    """Dernier jour d'application ; vide si la période est toujours en cours."""
    montant: Texte
    """Montant de l'aide, en toutes lettres si nécessaire (par exemple « 6 000 € la première année »)."""
    regles: list[Texte] = []
    """Règles de calcul ou de versement propres à cette période."""
    source: Url | None = None
    """Source publique de ce montant."""

    @model_validator(mode="after")
    def _period_in_order(self) -> PeriodeMontant:
        if self.au is not None and self.au < self.du:
            raise PydanticCustomError(
                "periode", "la période se termine ({au}) avant de commencer ({du})",
                {"au": self.au.isoformat(), "du": self.du.isoformat()},
            )
        return self


class Etape(Strict):
    """Une étape du circuit, de la constitution du dossier au paiement."""

    titre: Texte
    """Ce qui se passe à cette étape (par exemple « Dépôt du contrat auprès de l'OPCO »)."""
    responsable: Slug
    """Qui agit : identifiant d'un partenaire (fichier de schemes/partenaires/), ou « employeur », ou « beneficiaire »."""
    outil: Slug | None = None
    """Outil utilisé : identifiant d'un outil (fichier de schemes/outils/)."""
    delai: Texte | None = None
    """Délai habituel de cette étape (par exemple « 15 jours »)."""
    verification: Texte | None = None
    """Ce que l'appelant peut vérifier lui-même à cette étape."""
    source: Url | None = None
    """Source publique de cette étape."""


class EntreeHistorique(Strict):
    """Une entrée de la chronologie du statut : l'état à partir d'une date, et ce qu'il faut dire.

    On ajoute une entrée à la fin pour changer le statut ; on ne modifie pas les entrées passées."""

    date: Date
    """Date de prise d'effet ; peut être future pour un changement programmé."""
    etat: Annotated[Etat, StrictMode(False)]
    """État à partir de cette date : annonce, en_deploiement, ouvert, perturbe, paiements_bloques ou ferme."""
    explication: Texte
    """Pourquoi le dispositif est dans cet état (notamment la cause d'un retard), en une ou deux phrases."""
    elements_de_langage: Texte | None = None
    """Ce qu'il faut dire à l'appelant, mot pour mot, à partir de cette date (obligatoire sur l'entrée en vigueur et les entrées futures)."""
    prochaine_mise_a_jour: Date | None = None
    """Date prévue de la prochaine information sur ce statut (au plus tôt la date de l'entrée)."""
    donnee_exemple: bool = False
    """true si cette entrée est un exemple et non une information officielle."""


class Anomalie(Strict):
    """Un problème connu, décrit comme l'appelant le rencontre."""

    titre: Texte
    """Titre court du problème."""
    symptome: Texte
    """Le symptôme, avec les mots de l'appelant (« je n'ai pas reçu mes codes SYLAé »)."""
    cause: Texte | None = None
    """La cause, si elle est connue."""
    contournement: list[Texte] = []
    """Solution de contournement, une étape numérotée par élément de liste."""
    responsable: Slug | None = None
    """Qui corrige : identifiant d'un partenaire."""
    etat: Annotated[EtatAnomalie, StrictMode(False)]
    """ouverte ou resolue."""
    depuis: Date
    """Date d'apparition du problème."""
    resolue_le: Date | None = None
    """Date de résolution (obligatoire si l'anomalie est résolue)."""
    source: Url | None = None
    """Source publique décrivant ce problème."""
    donnee_exemple: bool = False
    """true si cette anomalie est un exemple et non une information officielle."""

    @model_validator(mode="after")
    def _resolution_consistent(self) -> Anomalie:
        if self.etat is EtatAnomalie.resolue and self.resolue_le is None:
            raise PydanticCustomError("resolution", "anomalie résolue sans date : ajoutez « resolue_le: AAAA-MM-JJ »")
        if self.etat is EtatAnomalie.ouverte and self.resolue_le is not None:
            raise PydanticCustomError(
                "resolution", "anomalie ouverte avec une date de résolution : passez « etat: resolue » ou retirez « resolue_le »"
            )
        if self.resolue_le is not None and self.resolue_le < self.depuis:
            raise PydanticCustomError("resolution", "l'anomalie est résolue avant d'être apparue (resolue_le < depuis)")
        return self


class QuestionReponse(Strict):
    """Une question fréquente et sa réponse."""

    question: Texte
    """La question, comme l'appelant la pose."""
    reponse: Texte
    """La réponse à donner."""
    source: Url | None = None
    """Source publique de la réponse."""


class Redirection(Strict):
    """Un cas à orienter vers un autre interlocuteur."""

    cas: Texte
    """La situation ou la demande de l'appelant."""
    partenaire: Slug
    """Vers qui orienter : identifiant d'un partenaire."""
    dispositif: Slug | None = None
    """Fiche du dispositif concerné, si elle existe (identifiant)."""
    message: Texte | None = None
    """Ce qu'il faut dire à l'appelant pour l'orienter."""


class Orientation(Strict):
    """Quelle ligne ou boîte aux lettres traite le dispositif, et quoi orienter ailleurs."""

    ligne: Texte | None = None
    """Ligne téléphonique de l'Assistance Utilisateurs qui traite ce dispositif."""
    bal: Texte | None = None
    """Boîte aux lettres générique (BAL) qui traite les courriels."""
    a_rediriger: list[Redirection] = []
    """Demandes à orienter vers un autre interlocuteur."""
    donnee_exemple: bool = False
    """true si ces informations sont un exemple (ligne ou BAL internes non publiques)."""


class ModeleReponse(Strict):
    """Modèle de courriel ou de courrier à un employeur ou un bénéficiaire."""

    titre: Texte
    """Dans quel cas utiliser ce modèle."""
    canal: Annotated[CanalReponse, StrictMode(False)]
    """courriel ou courrier."""
    objet: Texte | None = None
    """Objet du courriel ou du courrier."""
    texte: Texte
    """Le texte du modèle, prêt à copier."""
    donnee_exemple: bool = False
    """true si ce modèle est un exemple non validé officiellement."""


class Contact(Strict):
    """Un moyen de joindre un interlocuteur (canaux publics seulement pour les partenaires)."""

    canal: Annotated[Canal, StrictMode(False)]
    """telephone, site, courriel, courrier ou formulaire."""
    libelle: Texte
    """À quoi sert ce contact (par exemple « Assistance employeurs »)."""
    valeur: Texte
    """Le numéro, l'adresse web (https://), le courriel ou l'adresse postale."""
    horaires: Texte | None = None
    """Jours et heures d'ouverture, si connus."""
    source: Url | None = None
    """Source publique de ce contact."""
    donnee_exemple: bool = False
    """true si ce contact est un exemple et non un contact réel."""

    @model_validator(mode="after")
    def _value_matches_channel(self) -> Contact:
        value = self.valeur.strip()
        if self.canal in (Canal.site, Canal.formulaire):
            _check_https(value)
        elif self.canal is Canal.courriel and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", value, re.I):
            raise PydanticCustomError("contact", "adresse de courriel « {value} » invalide", {"value": value})
        elif self.canal is Canal.telephone and not re.fullmatch(r"\+?[0-9][0-9 .]{2,18}[0-9]", value):
            raise _invalid(
                "contact", "numéro de téléphone « {value} » invalide", "écrivez par exemple 0 809 549 549", value=value
            )
        return self


# --- record kinds ------------------------------------------------------------


class Dispositif(Strict):
    """Fiche d'un dispositif d'aide (une par fichier schemes/<id>.yml)."""

    id: Slug
    """Identifiant unique, identique au nom du fichier sans .yml (minuscules, chiffres, tirets)."""
    nom: Texte
    """Nom complet du dispositif."""
    sigle: Texte | None = None
    """Sigle usuel (AEJ, PEC…)."""
    appellations: list[Texte] = []
    """Les mots des appelants et des agents pour ce dispositif (« chômage partiel », « prime apprenti »…), abréviations (« AP », « cpro ») et anciens noms compris. La recherche les trouve."""
    domaine: Annotated[Domaine, StrictMode(False)]
    """Famille : alternance, embauche, activite_partielle, insertion ou jeunes."""
    versement_asp: bool = True
    """true si l'ASP verse cette aide ; false pour une aide gérée ailleurs (fiche d'orientation)."""
    resume: Annotated[str, Field(min_length=1, max_length=400), AfterValidator(_check_text), AfterValidator(_check_three_lines)]
    """Résumé en trois lignes au plus."""
    eligibilite: Eligibilite | None = None
    """Qui est éligible et conditions essentielles."""
    montants: list[PeriodeMontant] = []
    """Montants et règles, par période datée."""
    references: list[Reference] = []
    """Textes officiels et pages de référence."""
    circuit: list[Etape] = []
    """Étapes ordonnées, de la constitution du dossier au paiement."""
    historique_statut: Annotated[list[EntreeHistorique], Field(min_length=1)]
    """Chronologie du statut, du plus ancien au plus récent : le statut en vigueur est la dernière entrée datée d'aujourd'hui ou avant ; une entrée future annonce un changement programmé."""
    anomalies: list[Anomalie] = []
    """Problèmes connus et contournements."""
    faq: list[QuestionReponse] = []
    """Questions fréquentes."""
    orientation: Orientation | None = None
    """Ligne et BAL compétentes, et cas à orienter ailleurs."""
    modeles_reponse: list[ModeleReponse] = []
    """Modèles de courriels et de courriers."""
    site_referent: Slug
    """Site référent qui tient cette fiche : identifiant (fichier de schemes/sites/)."""
    revu_le: Date
    """Date de la dernière relecture complète de la fiche."""
    intervalle_revue_jours: Annotated[int, Field(ge=7, le=730)] = 90
    """Nombre de jours avant la prochaine relecture (90 par défaut)."""
    etiquettes: list[Etiquette] = []
    """Mots-clés (minuscules, tirets), pour l'index des étiquettes."""
    dispositifs_lies: list[Slug] = []
    """Dispositifs proches (identifiants)."""


class Partenaire(Strict):
    """Fiche d'un partenaire (schemes/partenaires/<id>.yml)."""

    id: Slug
    """Identifiant unique, identique au nom du fichier sans .yml."""
    nom: Texte
    """Nom complet."""
    sigle: Texte | None = None
    """Sigle usuel."""
    appellations: list[Texte] = []
    """Ce que disent les appelants et les agents pour ce partenaire : sigles courts (« FT », « ML »), anciens noms (« Pôle emploi », « DIRECCTE »). La recherche les trouve."""
    type: Annotated[TypePartenaire, StrictMode(False)]
    """Nature du partenaire : asp, opco, ddets_dreets, france_travail, urssaf, mission_locale, cap_emploi, cfa, ministere, operateur_public ou autre."""
    role: Texte
    """Son rôle auprès des usagers et de l'ASP."""
    contacts: list[Contact] = []
    """Comment les appelants peuvent le joindre (canaux publics seulement)."""
    liens: list[Reference] = []
    """Pages utiles."""
    revu_le: Date | None = None
    """Date de la dernière relecture."""


class ModeOperatoire(Strict):
    """Un pas-à-pas dans un outil."""

    titre: Texte
    """Ce que permet ce pas-à-pas (par exemple « Changer de coordonnées bancaires »)."""
    etapes: Annotated[list[Texte], Field(min_length=1)]
    """Les étapes, une par élément de liste, dans l'ordre."""
    attention: Texte | None = None
    """Le piège à éviter."""
    source: Url | None = None
    """Source publique de ce pas-à-pas."""
    donnee_exemple: bool = False
    """true si ce pas-à-pas est un exemple non validé officiellement."""


class Outil(Strict):
    """Fiche d'un outil (schemes/outils/<id>.yml) : SYLAé, portail activité partielle, DSN…"""

    id: Slug
    """Identifiant unique, identique au nom du fichier sans .yml."""
    nom: Texte
    """Nom de l'outil."""
    sigle: Texte | None = None
    """Sigle usuel."""
    appellations: list[Texte] = []
    """Ce que disent les appelants et les agents pour cet outil : abréviations, anciens noms, fautes courantes. La recherche les trouve."""
    objet: Texte
    """À quoi sert l'outil."""
    utilisateurs: list[Texte] = []
    """Qui l'utilise."""
    url: Url | None = None
    """Adresse publique de l'outil."""
    anomalies: list[Anomalie] = []
    """Problèmes connus."""
    modes_operatoires: list[ModeOperatoire] = []
    """Pas-à-pas."""
    references: list[Reference] = []
    """Pages de référence."""
    revu_le: Date | None = None
    """Date de la dernière relecture."""


FORGE_TEAM_PATTERN = r"^@[A-Za-z0-9][A-Za-z0-9-]{0,38}(?:/[A-Za-z0-9][A-Za-z0-9._-]{0,99})?$"


def _check_forge_team(value: str) -> str:
    if not re.match(FORGE_TEAM_PATTERN, value):
        raise _invalid(
            "equipe_forge", "équipe « {value} » invalide sur la forge",
            "écrivez « @organisation/equipe » (ou « @identifiant » pour une personne), entre guillemets", value=value,
        )
    return value


ForgeTeam = Annotated[
    str, AfterValidator(_check_forge_team), WithJsonSchema({"type": "string", "pattern": FORGE_TEAM_PATTERN}),
]


class SiteReferent(Strict):
    """Fiche d'un site référent (schemes/sites/<id>.yml). Ses dispositifs se déduisent des fiches."""

    id: Slug
    """Identifiant unique, identique au nom du fichier sans .yml."""
    nom: Texte
    """Nom du site."""
    contact: Contact
    """Comment joindre le site (canal interne)."""
    equipe_forge: ForgeTeam | None = None
    """Équipe de la forge qui relit les modifications des fiches du site (« @organisation/equipe », entre guillemets) ; reperes codeowners en tire .github/CODEOWNERS."""
    donnee_exemple: bool = False
    """true si ce site est un exemple."""


class Terme(Strict):
    """Un sigle du glossaire."""

    sigle: Sigle
    """Le sigle tel qu'il s'écrit (SYLAé, DSN…) : une ligne, des lettres, des chiffres, et au besoin « - . & ' / + » ou des espaces."""
    developpement: Developpement
    """Sa forme développée, sur une ligne, en texte simple (sans lien ni mise en forme)."""
    definition: Texte | None = None
    """Explication courte."""
    source: Url | None = None
    """Source publique."""


class Glossaire(Strict):
    """Le glossaire (schemes/glossaire.yml) : chaque sigle et sa forme développée."""

    termes: Annotated[list[Terme], Field(min_length=1)]
    """Les termes, un par élément de liste."""


class Guide(Strict):
    """En-tête d'un guide rédigé à la main (docs/guides/<id>.md), entre deux lignes « --- »."""

    titre: Texte
    """Titre du guide, tel qu'il apparaît dans le menu."""
    appellations: list[Texte] = []
    """Les mots de la situation, comme les appelants et les agents la disent (« employeur agressif », « nouveau RIB ») ; la recherche les compte comme les phrases de « Ce que dit l'appelant »."""
    resume: Annotated[str, Field(min_length=1, max_length=400), AfterValidator(_check_text), AfterValidator(_check_three_lines)]
    """Dans quelle situation d'appel ce guide sert, en trois lignes au plus."""
    dispositifs: list[Slug] = []
    """Dispositifs dont dépend ce guide (identifiants) ; le guide est à revoir quand ils changent."""
    outils: list[Slug] = []
    """Outils dont dépend ce guide (identifiants)."""
    partenaires: list[Slug] = []
    """Partenaires cités par ce guide (identifiants)."""
    proprietaire: Slug
    """Site référent qui tient ce guide (identifiant)."""
    revu_le: Date
    """Date de la dernière relecture complète du guide."""
    intervalle_revue_jours: Annotated[int, Field(ge=7, le=730)] = 90
    """Nombre de jours avant la prochaine relecture (90 par défaut)."""
    etiquettes: list[Etiquette] = []
    """Mots-clés (minuscules, tirets), pour l'index des étiquettes."""


class Remontee(Strict):
    """Une remontée du terrain (schemes/remontees/<id>.yml) : ce qu'un agent a signalé sur une fiche, et ce qu'il en est advenu."""

    id: Slug
    """Identifiant unique, identique au nom du fichier sans .yml (par exemple « 2026-11-03-aej-statut »)."""
    date: Date
    """Date à laquelle la remontée a été reçue (AAAA-MM-JJ)."""
    dispositif: Slug | None = None
    """Dispositif concerné (identifiant) ; au moins un des champs dispositif, guide, outil ou partenaire."""
    guide: Slug | None = None
    """Guide d'appel concerné (identifiant : nom du fichier de docs/guides/ sans .md)."""
    outil: Slug | None = None
    """Outil concerné (identifiant)."""
    partenaire: Slug | None = None
    """Partenaire concerné (identifiant)."""
    signalement: Texte
    """Ce qui a été signalé, avec les mots du terrain (sans donnée personnelle d'un appelant)."""
    site_referent: Slug
    """Site référent qui traite la remontée (identifiant)."""
    etat: Annotated[EtatRemontee, StrictMode(False)]
    """Où en est la remontée : recue, a_l_etude, integree ou refusee."""
    reponse: Texte | None = None
    """La réponse faite au terrain (obligatoire dès que la remontée n'est plus « recue »)."""
    modification: Texte | None = None
    """La modification à laquelle la remontée a conduit (par exemple « Statut de l'AEJ mis à jour le 03/11/2026 ») ; obligatoire pour une remontée intégrée."""
    traitee_le: Date | None = None
    """Date à laquelle la remontée a été intégrée ou refusée (obligatoire dans ces deux cas)."""
    donnee_exemple: bool = False
    """true si cette remontée est un exemple et non une remontée réelle."""

    @model_validator(mode="after")
    def _follow_up_consistent(self) -> Remontee:
        if not any((self.dispositif, self.guide, self.outil, self.partenaire)):
            raise _invalid(
                "remontee_fiche", "remontée sans fiche concernée",
                "ajoutez « dispositif: », « guide: », « outil: » ou « partenaire: » avec l'identifiant de la fiche",
            )
        closed = self.etat in (EtatRemontee.integree, EtatRemontee.refusee)
        if self.etat is not EtatRemontee.recue and self.reponse is None:
            raise _invalid(
                "remontee_reponse", "remontée « {etat} » sans réponse",
                "ajoutez « reponse: » : le terrain voit ce qu'est devenu son signalement", at="etat",
                etat=self.etat.label.lower(),
            )
        if closed and self.traitee_le is None:
            raise _invalid(
                "remontee_date", "remontée « {etat} » sans date de traitement",
                "ajoutez « traitee_le: AAAA-MM-JJ »", at="etat", etat=self.etat.label.lower(),
            )
        if not closed and self.traitee_le is not None:
            raise _invalid(
                "remontee_date", "remontée « {etat} » avec une date de traitement",
                "passez « etat: integree » ou « etat: refusee », ou retirez « traitee_le »",
                at="traitee_le", etat=self.etat.label.lower(),
            )
        if self.traitee_le is not None and self.traitee_le < self.date:
            raise _invalid("remontee_date", "remontée traitée le {done}, avant d'être reçue (le {received})",
                           "« traitee_le » est au plus tôt la date de réception « date »", at="traitee_le",
                           done=format_date_fr(self.traitee_le), received=format_date_fr(self.date))
        if self.etat is EtatRemontee.integree and self.modification is None:
            raise _invalid(
                "remontee_modification", "remontée intégrée sans la modification qu'elle a entraînée",
                "ajoutez « modification: » (par exemple « Statut de l'AEJ mis à jour le 03/11/2026 »)", at="etat",
            )
        if self.etat is not EtatRemontee.integree and self.modification is not None:
            raise _invalid(
                "remontee_modification", "remontée « {etat} » avec une modification",
                "seule une remontée intégrée a conduit à une modification : passez « etat: integree » "
                "ou retirez « modification »", at="modification", etat=self.etat.label.lower(),
            )
        return self
