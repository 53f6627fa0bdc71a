"""The bad-input corpus (failure-modes notes, items 1-46 where they apply at
check time), run through `reperes check` exactly as a referent would.

Every test asserts the full lines a user sees, the exit code, and that no
traceback reaches them. Where the output was wrong or misleading when these
tests were written, the test states the output it *should* give, with a
"Today: ..." comment saying what the product printed instead.

SCHEME below is the record every test breaks on purpose. Its line numbers are
what the expected messages point at:

     1 id                  6 historique_statut[1].date      11 circuit[1].titre        16 site_referent
     2 nom                 7 historique_statut[1].etat      12 circuit[1].responsable  17 revu_le
     3 domaine             8 historique_statut[1].explic.   13 circuit[1].outil        (18 = first appended line)
     4 resume              9 historique_statut[1].elements  14 circuit[2].titre
     5 historique_statut  10 circuit                        15 circuit[2].responsable
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from workspace import MINIMAL_SCHEME

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parent.parent

SCHEME = MINIMAL_SCHEME  # the valid sample scheme; line numbers below refer to it

E = "schemes/exemple.yml"  # the path users see in messages

VALID_SUMMARY = "5 fiches valides : 1 dispositif, 1 partenaire, 1 outil, 1 site référent, glossaire\n"

SCHEME_KEYS = (
    "id, nom, sigle, appellations, domaine, versement_asp, resume, eligibilite, montants, references, "
    "circuit, historique_statut, anomalies, faq, orientation, modeles_reponse, site_referent, "
    "revu_le, intervalle_revue_jours, etiquettes, dispositifs_lies"
)
ETATS = "annonce, en_deploiement, ouvert, perturbe, paiements_bloques, ferme"

# Recurring hints, written once so the expected lines stay readable.
INVISIBLE = "supprimez-le (il a pu être collé depuis un courriel ou un traitement de texte)"
NO_ALIAS = "les ancres et alias YAML ne sont pas acceptés : recopiez la valeur"
NO_TAG = "retirez-la : le type de chaque champ est fixé par le modèle"
SLUG_RULE = "uniquement des minuscules sans accent, des chiffres et des tirets (par exemple « aide-embauche-jeunes »)"
ONLY_LINKS = "seuls https:, mailto:, tel: et les liens internes sont acceptés"
COLON = (
    "deux-points « : » inattendu (dans une valeur non protégée ou une indentation incorrecte) ; "
    "si le texte contient « : », mettez toute la valeur entre guillemets ; sinon vérifiez l'indentation"
)


# --- helpers ------------------------------------------------------------------


def edited(old: str, new: str) -> str:
    """SCHEME with the first *old* replaced by *new* (which must be there)."""
    assert old in SCHEME, old
    return SCHEME.replace(old, new, 1)


def appended(text: str) -> str:
    """SCHEME plus *text* (dedented) from line 18 on."""
    return SCHEME + textwrap.dedent(text)


def summary(errors: int, files: int = 1, checked: int = 5) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'s' if n > 1 else ''}"

    return f"{count(errors, 'erreur')} dans {count(files, 'fichier')} ({checked} fichiers vérifiés)\n"


def assert_no_traceback(result) -> None:
    both = result.out + result.err
    assert "Traceback" not in both
    assert "RecursionError" not in both
    assert "erreur interne" not in both


def assert_refused(result, expected: list[str], *, files: int = 1, checked: int = 5) -> None:
    assert result.lines == expected
    assert result.code == 1
    assert_no_traceback(result)
    assert result.err == summary(len(expected), files, checked)


def assert_accepted(result) -> None:
    assert result.lines == []
    assert result.code == 0
    assert_no_traceback(result)
    assert result.err == VALID_SUMMARY


# --- encoding (items 1-6) -----------------------------------------------------


def test_utf8_bom_is_accepted(workspace, check):
    workspace.write(E, b"\xef\xbb\xbf" + SCHEME.encode("utf-8"))
    assert_accepted(check())


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"], ids=["with-bom", "le-no-bom", "be-no-bom"])
def test_utf16_is_refused(workspace, check, codec):
    workspace.write(E, SCHEME.encode(codec))
    assert_refused(check(), [f"{E}:1:1: fichier: le fichier est encodé en UTF-16 ; enregistrez-le en UTF-8"])


def test_latin1_points_at_the_bad_byte(workspace, check):
    workspace.write(E, edited("nom: Aide exemple", "nom: Aide café").encode("latin-1"))
    assert_refused(check(), [
        f"{E}:2:14: fichier: octet 0xE9 invalide : le fichier n'est pas encodé en UTF-8 "
        "(probablement Latin-1 ou Windows-1252) ; enregistrez le fichier en UTF-8"
    ])


@pytest.mark.parametrize(
    "char, code",
    [("\x00", "U+0000"), ("\x1b", "U+001B")],
    ids=["nul", "esc"],
)
def test_control_character_in_value_is_refused(workspace, check, char, code):
    workspace.scheme(edited("nom: Aide exemple", f"nom: Aide{char}exemple"))
    assert_refused(check(), [f"{E}:2:10: nom: caractère de contrôle interdit {code} ; {INVISIBLE}"])


@pytest.mark.parametrize(
    "line, expected",
    [
        pytest.param(
            "nom: Aide \u202eelpmexe",
            f"{E}:2:11: nom: caractère invisible interdit U+202E RIGHT-TO-LEFT OVERRIDE ; {INVISIBLE}",
            id="bidi-override-in-title",
        ),
        pytest.param(
            "nom: Aide\u200bexemple",
            f"{E}:2:10: nom: caractère invisible interdit U+200B ZERO WIDTH SPACE ; {INVISIBLE}",
            id="zero-width-in-title",
        ),
        # One invisible character in a key gives one line (no "nom" missing,
        # no unknown key "n om").
        pytest.param(
            "n\u202eom: Aide exemple",
            f"{E}:2:2: nom: caractère invisible interdit U+202E RIGHT-TO-LEFT OVERRIDE ; {INVISIBLE}",
            id="bidi-override-in-key",
        ),
        pytest.param(
            "n\u200bom: Aide exemple",
            f"{E}:2:2: nom: caractère invisible interdit U+200B ZERO WIDTH SPACE ; {INVISIBLE}",
            id="zero-width-in-key",
        ),
    ],
)
def test_invisible_character_is_refused(workspace, check, line, expected):
    workspace.scheme(edited("nom: Aide exemple", line))
    assert_refused(check(), [expected])


def test_crlf_file_is_accepted(workspace, check):
    workspace.write(E, SCHEME.replace("\n", "\r\n").encode("utf-8"))
    assert_accepted(check())


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            edited("  etat: ouvert", "  etat: bloque"),
            f"{E}:7:11: historique_statut[1].etat: valeur « bloque » inconnue ; valeurs possibles : {ETATS}",
            id="validation",
        ),
        pytest.param(edited("nom: Aide exemple", "nom: Reset: step 1"), f"{E}:2:11: syntaxe: {COLON}", id="syntax"),
        pytest.param(
            appended("nom: Autre\n"),
            f"{E}:18:1: nom: clé « nom » en double (déjà présente ligne 2) ; "
            "gardez une seule occurrence : YAML ne garderait que la dernière",
            id="duplicate-key",
        ),
        pytest.param(
            edited("nom: Aide exemple", "nom: Appuyez sur # puis 1"),
            f"{E}:2:18: nom: le texte après « # » est ignoré (YAML le lit comme un commentaire) ; "
            "si « # » fait partie du texte, mettez toute la valeur entre guillemets ; "
            "sinon placez le commentaire sur sa propre ligne",
            id="trailing-comment",
        ),
        pytest.param(
            edited("nom: Aide exemple", "nom: Aide\x1bexemple"),
            f"{E}:2:10: nom: caractère de contrôle interdit U+001B ; {INVISIBLE}",
            id="control-character",
        ),
    ],
)
def test_crlf_file_reports_same_position_as_lf(workspace, check, text, expected):
    workspace.write(E, text.encode("utf-8"))
    lf = check()
    workspace.write(E, text.replace("\n", "\r\n").encode("utf-8"))
    crlf = check()
    assert_refused(lf, [expected])
    assert_refused(crlf, [expected])


# --- syntax (items 7-14) ------------------------------------------------------


@pytest.mark.parametrize(
    "old, new, expected",
    [
        pytest.param(
            "  - date: 2025-01-01", "\t- date: 2025-01-01",
            f"{E}:6:1: syntaxe: tabulation interdite pour l'indentation ; indentez avec des espaces (deux par niveau)",
            id="tab-indent-first-key",
        ),
        # libyaml words this one differently ("tab character that violates
        # indentation"); the message is the generic one but still right.
        pytest.param(
            "    etat: ouvert", "\tetat: ouvert",
            f"{E}:7:1: syntaxe: tabulation interdite ; utilisez des espaces",
            id="tab-indent-after-sibling",
        ),
        pytest.param("nom: Aide exemple", "nom: Reset: step 1", f"{E}:2:11: syntaxe: {COLON}", id="colon-in-value"),
        pytest.param(
            "nom: Aide exemple", "nom: @user",
            f"{E}:2:6: syntaxe: le caractère « @ » ne peut pas commencer une valeur ; mettez la valeur entre guillemets : \"@…\"",
            id="at-sign",
        ),
        pytest.param(
            "nom: Aide exemple", "nom: %50",
            f"{E}:2:6: syntaxe: le caractère « % » ne peut pas commencer une valeur ; mettez la valeur entre guillemets : \"%…\"",
            id="percent",
        ),
        # An unclosed bracket must point at the "[" that is not closed. Today
        # the position is where libyaml gave up: the next key (16:14), or a
        # line after the end of the file (19:1).
        pytest.param(
            "site_referent: site-exemple", "etiquettes: [a, b\nsite_referent: site-exemple",
            f"{E}:16:13: syntaxe: crochet « [ » non fermé ; ajoutez « ] » à la fin de la liste",
            id="unclosed-bracket-mid-file",
        ),
        pytest.param(
            "revu_le: 2026-11-01\n", "revu_le: 2026-11-01\netiquettes: [a, b\n",
            f"{E}:18:13: syntaxe: crochet « [ » non fermé ; ajoutez « ] » à la fin de la liste",
            id="unclosed-bracket-last-line",
        ),
    ],
)
def test_syntax_error_is_explained(workspace, check, old, new, expected):
    workspace.scheme(edited(old, new))
    assert_refused(check(), [expected])


@pytest.mark.parametrize(
    "text",
    ["", "\n\n", "# rien pour l'instant\n# à compléter\n"],
    ids=["empty", "blank-lines", "comments-only"],
)
def test_empty_record_is_refused(workspace, check, text):
    workspace.scheme(text)
    assert_refused(check(), [f"{E}:1:1: fichier: enregistrement vide ; un enregistrement commence par « id: … »"])


def test_two_documents_are_refused(workspace, check):
    workspace.scheme(appended("---\nid: autre\n"))
    assert_refused(check(), [
        f"{E}:18:1: syntaxe: plusieurs documents YAML dans un seul fichier ; "
        "un seul enregistrement par fichier : retirez la ligne « --- » et créez un autre fichier"
    ])


def test_top_level_list_is_refused(workspace, check):
    workspace.scheme("- id: exemple\n- nom: Aide exemple\n")
    assert_refused(check(), [
        f"{E}:1:1: fichier: un enregistrement doit être une suite de « clé: valeur » au premier niveau ; "
        "retirez le « - » en début de ligne ou les crochets"
    ])


def test_500_deep_nesting_is_too_deep_not_a_crash(workspace, check):
    workspace.scheme("id: exemple\netiquettes: " + "[" * 500 + "]" * 500 + "\n")
    # The 25th level, where the loader stops; the field is cut after 4 parts.
    assert_refused(check(), [
        f"{E}:2:36: etiquettes[1][1][1]…: imbrication trop profonde (plus de 24 niveaux) ; "
        "un enregistrement n'a jamais besoin d'autant de niveaux"
    ])


# --- typing (items 15-23) -----------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        pytest.param(
            "sigle: NO",
            f"{E}:3:8: sigle: « NO » serait lu comme un booléen par YAML ; mettez la valeur entre guillemets : \"NO\"",
            id="norway",
        ),
        pytest.param(
            'versement_asp: "no"',
            f"{E}:3:16: versement_asp: seules les valeurs true ou false sont acceptées (reçu « no »)",
            id="bool-quoted-no",
        ),
        pytest.param(
            "versement_asp: no",
            f"{E}:3:16: versement_asp: seules les valeurs true ou false sont acceptées (reçu « no »)",
            id="bool-plain-no",
        ),
        pytest.param(
            "sigle: 0123",
            f"{E}:3:8: sigle: « 0123 » serait lu comme un nombre par YAML ; mettez la valeur entre guillemets : \"0123\"",
            id="octal-looking",
        ),
        pytest.param(
            "sigle: 9:30",
            f"{E}:3:8: sigle: « 9:30 » serait lu comme un nombre par YAML ; mettez la valeur entre guillemets : \"9:30\"",
            id="sexagesimal",
        ),
        pytest.param(
            "sigle: 1.10",
            f"{E}:3:8: sigle: « 1.10 » serait lu comme un nombre par YAML ; mettez la valeur entre guillemets : \"1.10\"",
            id="version-number",
        ),
        pytest.param(
            "sigle: +442079460000",
            f"{E}:3:8: sigle: « +442079460000 » serait lu comme un nombre par YAML ; "
            "mettez la valeur entre guillemets : \"+442079460000\"",
            id="phone-number",
        ),
    ],
)
def test_value_yaml_would_retype_is_refused(workspace, check, line, expected):
    workspace.scheme(edited("nom: Aide exemple", f"nom: Aide exemple\n{line}"))
    assert_refused(check(), [expected])


@pytest.mark.parametrize(
    "line",
    ['sigle: "0800"', "sigle: 0800", "sigle: 09:30", "sigle: '1.10'", "versement_asp: false"],
    ids=["quoted-0800", "plain-0800", "09:30", "quoted-1.10", "bool-false"],
)
def test_value_yaml_keeps_as_text_is_accepted(workspace, check, line):
    workspace.scheme(edited("nom: Aide exemple", f"nom: Aide exemple\n{line}"))
    assert_accepted(check())


@pytest.mark.parametrize(
    "value, expected",
    [
        pytest.param("2024-02-30", f"{E}:17:10: revu_le: date « 2024-02-30 » invalide : ce jour n'existe pas", id="no-such-day"),
        pytest.param(
            "01/11/2025",
            f"{E}:17:10: revu_le: date « 01/11/2025 » au mauvais format ; écrivez 2025-11-01 (année-mois-jour)",
            id="french-format",
        ),
    ],
)
def test_bad_date_is_refused_with_its_line(workspace, check, value, expected):
    workspace.scheme(edited("revu_le: 2026-11-01", f"revu_le: {value}"))
    assert_refused(check(), [expected])


def test_text_after_hash_is_refused(workspace, check):
    workspace.scheme(edited("nom: Aide exemple", "nom: Appuyez sur # puis 1"))
    assert_refused(check(), [
        f"{E}:2:18: nom: le texte après « # » est ignoré (YAML le lit comme un commentaire) ; "
        "si « # » fait partie du texte, mettez toute la valeur entre guillemets ; "
        "sinon placez le commentaire sur sa propre ligne"
    ])


def test_required_field_empty(workspace, check):
    workspace.scheme(edited("nom: Aide exemple", "nom:"))
    assert_refused(check(), [f"{E}:2:5: nom: valeur vide ; complétez ce champ, ou retirez la ligne s'il est facultatif"])


def test_required_field_missing(workspace, check):
    workspace.scheme(edited("nom: Aide exemple\n", ""))
    assert_refused(check(), [f"{E}:1:1: nom: champ obligatoire manquant ; ajoutez « nom: … »"])


@pytest.mark.parametrize(
    "value, expected",
    [
        pytest.param(
            '"90"',
            f"{E}:18:25: intervalle_revue_jours: un nombre entier est attendu, reçu « 90 » ; écrivez le nombre sans guillemets",
            id="quoted-number",
        ),
        pytest.param("5", f"{E}:18:25: intervalle_revue_jours: la valeur doit être au moins 7 (reçu 5)", id="too-small"),
    ],
)
def test_bad_review_interval(workspace, check, value, expected):
    workspace.scheme(appended(f"intervalle_revue_jours: {value}\n"))
    assert_refused(check(), [expected])


# --- structure (items 24-31) --------------------------------------------------


DUPLICATE_HINT = "gardez une seule occurrence : YAML ne garderait que la dernière"


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            appended("nom: Autre nom\n"),
            f"{E}:18:1: nom: clé « nom » en double (déjà présente ligne 2) ; {DUPLICATE_HINT}",
            id="plain",
        ),
        pytest.param(
            appended("'nom': Autre nom\n"),
            f"{E}:18:1: nom: clé « nom » en double (déjà présente ligne 2) ; {DUPLICATE_HINT}",
            id="quoted-twin",
        ),
        pytest.param(
            edited("    etat: ouvert", "    etat: ouvert\n    etat: ferme"),
            f"{E}:8:5: historique_statut[1].etat: clé « etat » en double (déjà présente ligne 7) ; {DUPLICATE_HINT}",
            id="nested",
        ),
    ],
)
def test_duplicate_key_names_both_lines(workspace, check, text, expected):
    workspace.scheme(text)
    assert_refused(check(), [expected])


# A misspelt key is one mistake and must give one line. Today the correct key
# is also reported "champ obligatoire manquant ; ajoutez « nom: … »", which
# leads the referent to add a second line instead of fixing the typo.
@pytest.mark.parametrize(
    "old, new, expected",
    [
        pytest.param(
            "nom: Aide exemple", "nmo: Aide exemple",
            f"{E}:2:1: nmo: clé inconnue « nmo » ; vouliez-vous dire « nom » ?",
            id="top-level",
        ),
        pytest.param(
            "    etat: ouvert", "    eta: ouvert",
            f"{E}:7:5: historique_statut[1].eta: clé inconnue « eta » ; vouliez-vous dire « etat » ?",
            id="nested",
        ),
    ],
)
def test_misspelt_key_suggests_the_right_one(workspace, check, old, new, expected):
    workspace.scheme(edited(old, new))
    assert_refused(check(), [expected])


@pytest.mark.parametrize("key", ["yes", "1"])
def test_key_yaml_would_retype_is_unknown(workspace, check, key):
    workspace.scheme(appended(f"{key}: valeur\n"))
    assert_refused(check(), [f"{E}:18:1: {key}: clé inconnue « {key} » ; clés possibles : {SCHEME_KEYS}"])


@pytest.mark.parametrize(
    "old, new, expected",
    [
        pytest.param(
            "  - date: 2025-01-01\n", "  - <<: *x\n    date: 2025-01-01\n",
            [
                f"{E}:6:5: historique_statut[1]: clé de fusion « << » interdite ; recopiez les champs au lieu de les fusionner",
                f"{E}:6:9: historique_statut[1].<<: alias « *x » interdit ; {NO_ALIAS}",
            ],
            id="merge-key",
        ),
        pytest.param(
            "nom: Aide exemple", "nom: &a Aide exemple",
            [f"{E}:2:6: nom: ancre « &a » interdite ; {NO_ALIAS}"],
            id="anchor",
        ),
        pytest.param(
            "resume: Une aide pour les tests.", "resume: *a",
            [f"{E}:4:9: resume: alias « *a » interdit ; {NO_ALIAS}"],
            id="alias",
        ),
    ],
)
def test_anchors_and_aliases_are_refused(workspace, check, old, new, expected):
    workspace.scheme(edited(old, new))
    assert_refused(check(), expected)


# Loads the alias bomb in a child process whose memory is capped: expanding it
# (387 M leaves) would need gigabytes and fail; refusing it needs a few events.
LOAD_BOMB = """
import json, resource, sys
from generator.records.loader import load_yaml
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
loaded, errors, reliable = load_yaml(sys.argv[1], open(sys.argv[2], "rb").read())
print(json.dumps({"reliable": reliable, "errors": [e.format_text() for e in errors]}))
"""


def test_alias_bomb_is_refused_before_expansion():
    """9 levels of 9 aliases: 9**9 (387 M) leaves if anything expanded them."""
    raw = (DATA / "alias_bomb.yml").read_bytes()
    assert len(raw) < 400
    # The timeout only stops a hang; what is asserted is the refusal, under 1 Gio of memory.
    child = subprocess.run([sys.executable, "-c", LOAD_BOMB, E, str(DATA / "alias_bomb.yml")],
                           capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout)
    assert result["reliable"] is False
    assert result["errors"][0] == f"{E}:1:4: a: ancre « &a » interdite ; {NO_ALIAS}"


def test_alias_bomb_message(workspace, check):
    workspace.write(E, (DATA / "alias_bomb.yml").read_bytes())
    # Each anchor once, each alias name once (not its 9 uses on the line).
    expected = [f"{E}:1:4: a: ancre « &a » interdite ; {NO_ALIAS}"]
    for line, (name, previous) in enumerate(zip("bcdefghi", "abcdefgh"), start=2):
        expected += [
            f"{E}:{line}:4: {name}: ancre « &{name} » interdite ; {NO_ALIAS}",
            f"{E}:{line}:8: {name}[1]: alias « *{previous} » interdit ; {NO_ALIAS}",
        ]
    assert_refused(check(), expected)


@pytest.mark.parametrize(
    "old, new, expected",
    [
        pytest.param(
            "nom: Aide exemple", "nom: !!python/object:os.system echo",
            f"{E}:2:6: nom: étiquette YAML « !!python/object:os.system » interdite ; {NO_TAG}",
            id="python-object",
        ),
        pytest.param(
            "nom: Aide exemple", "nom: !!binary aGVsbG8=",
            f"{E}:2:6: nom: étiquette YAML « !!binary » interdite ; {NO_TAG}",
            id="binary",
        ),
        pytest.param(
            "revu_le: 2026-11-01\n", "revu_le: 2026-11-01\netiquettes: !!set {a, b}\n",
            f"{E}:18:13: etiquettes: étiquette YAML « !!set » interdite ; {NO_TAG}",
            id="set",
        ),
    ],
)
def test_tags_are_refused(workspace, check, old, new, expected):
    workspace.scheme(edited(old, new))
    assert_refused(check(), [expected])


def test_oversize_file_is_refused_with_its_real_size(workspace, check):
    raw = SCHEME.encode("utf-8")
    raw += b"# " + b"x" * (300 * 1024 - len(raw) - 3) + b"\n"
    assert len(raw) == 300 * 1024
    workspace.write(E, raw)
    # Today: "(256 Kio ; maximum 256 Kio)" - only the first 256 Kio + 1 byte
    # are read, so the file looks exactly at the limit.
    assert_refused(check(), [
        f"{E}:1:1: fichier: fichier trop volumineux (300 Kio ; maximum 256 Kio) ; "
        "découpez le contenu ou retirez les textes copiés en double"
    ])


def test_file_of_exactly_256_kib_is_accepted(workspace, check):
    raw = SCHEME.encode("utf-8")
    raw += b"#" + b"x" * (256 * 1024 - len(raw) - 2) + b"\n"
    assert len(raw) == 256 * 1024
    workspace.write(E, raw)
    assert_accepted(check())


# --- ids and paths (items 32-35) ----------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        pytest.param("../index", f"identifiant « ../index » invalide : {SLUG_RULE}", id="dot-dot"),
        pytest.param("/etc/passwd", f"identifiant « /etc/passwd » invalide : {SLUG_RULE}", id="absolute"),
        pytest.param("a\\b", f"identifiant « a\\b » invalide : {SLUG_RULE}", id="backslash"),
        pytest.param("CON", f"identifiant « CON » invalide : {SLUG_RULE}", id="CON"),
        pytest.param("con", "identifiant « con » réservé par Windows ; choisissez-en un autre", id="con"),
        pytest.param('""', f"identifiant «  » invalide : {SLUG_RULE}", id="empty-quoted"),
        pytest.param("a" * 64, "identifiant trop long (64 caractères ; maximum 63)", id="64-chars"),
        pytest.param("exe\u0301mple", f"identifiant « exe\u0301mple » invalide : {SLUG_RULE}", id="nfd-accent"),
    ],
)
def test_bad_id_is_refused(workspace, check, value, expected):
    workspace.scheme(edited("id: exemple", f"id: {value}"))
    assert_refused(check(), [f"{E}:1:5: id: {expected}"])


def test_empty_id_is_refused(workspace, check):
    workspace.scheme(edited("id: exemple", "id:"))
    assert_refused(check(), [f"{E}:1:4: id: valeur vide ; complétez ce champ, ou retirez la ligne s'il est facultatif"])


def test_id_not_matching_file_name_suggests_both_fixes(workspace, check):
    workspace.scheme(edited("id: exemple", "id: autre"))
    assert_refused(check(), [
        f"{E}:1:5: id: l'identifiant « autre » ne correspond pas au nom du fichier « exemple.yml » ; "
        "renommez le fichier en autre.yml, ou écrivez « id: exemple »"
    ])


def test_capitalised_file_name_is_refused(workspace, check):
    (workspace.root / E).unlink()
    workspace.write("schemes/Exemple.yml", SCHEME)
    assert_refused(check(), [
        "schemes/Exemple.yml:1:5: id: l'identifiant « exemple » ne correspond pas au nom du fichier "
        "« Exemple.yml » ; renommez le fichier en exemple.yml"
    ])


def test_same_id_in_two_files_reports_both(workspace, check):
    workspace.write("schemes/autre.yml", SCHEME)  # copied, id left unchanged
    # Today autre.yml also says "renommez le fichier en exemple.yml, ou …":
    # that file exists, renaming would overwrite the other record.
    assert_refused(check(), [
        "schemes/autre.yml:1:5: id: l'identifiant « exemple » ne correspond pas au nom du fichier « autre.yml » ; "
        "écrivez « id: autre »",
        f"{E}:1:5: id: identifiant « exemple » déjà utilisé par schemes/autre.yml:1 ; chaque fiche a son propre identifiant",
    ], files=2, checked=6)


def test_reserved_id_is_refused(workspace, check):
    workspace.scheme(edited("id: exemple", "id: glossaire"))
    # Today the second line also says "renommez le fichier en glossaire.yml":
    # that is the glossary's file.
    assert_refused(check(), [
        f"{E}:1:5: id: l'identifiant « glossaire » est réservé ; choisissez un identifiant qui nomme le dispositif",
        f"{E}:1:5: id: l'identifiant « glossaire » ne correspond pas au nom du fichier « exemple.yml » ; "
        "écrivez « id: exemple »",
    ])


def test_reserved_id_matching_its_file_is_refused(workspace, check):
    (workspace.root / E).unlink()
    workspace.write("schemes/index.yml", edited("id: exemple", "id: index"))
    assert_refused(check(), [
        "schemes/index.yml:1:5: id: l'identifiant « index » est réservé ; choisissez un identifiant qui nomme le dispositif"
    ])


@pytest.mark.parametrize(
    "name, expected",
    [
        pytest.param(
            "schemes/notes.txt",
            "schemes/notes.txt:1:1: fichier: fichier inattendu « notes.txt » : les fiches sont des fichiers .yml",
            id="txt",
        ),
        pytest.param(
            "schemes/x.yaml",
            "schemes/x.yaml:1:1: fichier: extension de « x.yaml » non reconnue ; renommez le fichier en x.yml",
            id="yaml-extension",
        ),
        pytest.param(
            "schemes/brouillons/x.yml",
            "schemes/brouillons:1:1: fichier: dossier inattendu « brouillons » ; dossiers possibles : partenaires, outils, sites",
            id="sub-folder",
        ),
    ],
)
def test_unexpected_file_is_reported(workspace, check, name, expected):
    workspace.write(name, "id: x\n")
    assert_refused(check(), [expected])


# --- references across records (item 45) -------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param(
            edited("responsable: partenaire-exemple", "responsable: partenaire-exempel"),
            f"{E}:15:18: circuit[2].responsable: partenaire « partenaire-exempel » introuvable ; "
            "vouliez-vous dire « partenaire-exemple » ?",
            id="partner-typo",
        ),
        pytest.param(
            edited("outil: outil-exemple", "outil: sylae"),
            f"{E}:13:12: circuit[1].outil: outil « sylae » introuvable ; "
            "créez schemes/outils/sylae.yml, ou utilisez un identifiant existant",
            id="unknown-tool",
        ),
        pytest.param(
            edited("site_referent: site-exemple", "site_referent: site-nord"),
            f"{E}:16:16: site_referent: site référent « site-nord » introuvable ; "
            "créez schemes/sites/site-nord.yml, ou utilisez un identifiant existant",
            id="unknown-site",
        ),
        pytest.param(
            appended("dispositifs_lies:\n  - emplois-francs\n"),
            f"{E}:19:5: dispositifs_lies[1]: dispositif « emplois-francs » introuvable ; "
            "créez schemes/emplois-francs.yml, ou utilisez un identifiant existant",
            id="unknown-related-scheme",
        ),
        pytest.param(
            appended("dispositifs_lies:\n  - exemple\n"),
            f"{E}:19:5: dispositifs_lies[1]: un dispositif ne peut pas être lié à lui-même",
            id="self-related",
        ),
        pytest.param(
            appended("""\
                orientation:
                  a_rediriger:
                    - cas: Emplois francs
                      partenaire: france-travail
                """),
            f"{E}:21:19: orientation.a_rediriger[1].partenaire: partenaire « france-travail » introuvable ; "
            "créez schemes/partenaires/france-travail.yml, ou utilisez un identifiant existant",
            id="unknown-redirect-partner",
        ),
        pytest.param(
            edited(
                "    elements_de_langage: Votre dossier suit son cours.\n",
                "    elements_de_langage: Votre dossier suit son cours.\n"
                "  - date: 2024-06-01\n    etat: annonce\n    explication: Annonce.\n",
            ),
            f"{E}:10:11: historique_statut[2].date: entrée du 01/06/2024, antérieure à l'entrée précédente "
            "(01/01/2025) ; la chronologie se lit du plus ancien au plus récent : ajoutez les nouvelles entrées à la fin",
            id="history-out-of-order",
        ),
    ],
)
def test_broken_reference_is_reported(workspace, check, text, expected):
    workspace.scheme(text)
    assert_refused(check(), [expected])


def test_duplicate_glossary_acronym_ignores_case(workspace, check):
    workspace.write("schemes/glossaire.yml", """\
        termes:
          - sigle: AU
            developpement: Assistance Utilisateurs
          - sigle: DSN
            developpement: Déclaration sociale nominative
          - sigle: au
            developpement: Autre chose
        """)
    assert_refused(check(), [
        "schemes/glossaire.yml:6:12: termes[3].sigle: sigle « au » déjà défini ligne 2 ; fusionnez les deux définitions"
    ])


def test_reference_to_an_invalid_record_is_not_reported_twice(workspace, check):
    workspace.write("schemes/outils/outil-exemple.yml", "id: outil-exemple\nnom: Outil\nobjet: Sert: aux tests.\n")
    # Today exemple.yml also gets "outil « outil-exemple » introuvable ; créez
    # schemes/outils/outil-exemple.yml" - a file that exists and only needs
    # its own error fixed.
    assert_refused(check(), [f"schemes/outils/outil-exemple.yml:3:12: syntaxe: {COLON}"])


# --- content: links and HTML (items 37-40, checked before rendering) ----------


@pytest.mark.parametrize(
    "value, expected",
    [
        # The quoted target is cut at the first ")" today: « javascript:alert(1 ».
        pytest.param(
            "Voir [x](javascript:alert(1))",
            f"lien « javascript:alert(1) » interdit (schéma « javascript: ») ; {ONLY_LINKS}",
            id="javascript",
        ),
        pytest.param(
            "Voir [x](JaVaScRiPt:alert`1`)",
            f"lien « JaVaScRiPt:alert`1` » interdit (schéma « javascript: ») ; {ONLY_LINKS}",
            id="javascript-mixed-case",
        ),
        pytest.param(
            "Voir [x](jav&#x09;ascript:alert`1`)",
            f"lien « jav&#x09;ascript:alert`1` » interdit (schéma « javascript: ») ; {ONLY_LINKS}",
            id="javascript-entity",
        ),
        pytest.param(
            "Voir [x](data:text/html;base64,PHNjcmlwdD4=)",
            f"lien « data:text/html;base64,PHNjcmlwdD4= » interdit (schéma « data: ») ; {ONLY_LINKS}",
            id="data",
        ),
        pytest.param(
            "Voir [x](http://exemple.fr)",
            "lien non sécurisé « http://exemple.fr » ; utilisez https://",
            id="http",
        ),
        pytest.param(
            "Voir [x](//evil.example)",
            "lien « //evil.example » vers un autre site sans https ; écrivez l'adresse complète en https://",
            id="protocol-relative",
        ),
        pytest.param(
            "Voir <script>alert(1)</script>",
            "HTML interdit (« <script> ») : écrivez du texte simple, le HTML ne serait pas affiché",
            id="script",
        ),
        pytest.param(
            "Voir <img src=x onerror=alert(1)>",
            "HTML interdit (« <img src=x onerror=alert(1)> ») : écrivez du texte simple, le HTML ne serait pas affiché",
            id="img-onerror",
        ),
    ],
)
def test_dangerous_content_is_refused(workspace, check, value, expected):
    workspace.scheme(edited("resume: Une aide pour les tests.", f"resume: {value}"))
    assert_refused(check(), [f"{E}:4:9: resume: {expected}"])


def test_javascript_link_split_over_two_lines_is_refused(workspace, check):
    # Python-Markdown keeps the line break in href="java\nscript:alert(1)" and
    # browsers drop tabs and line breaks from URLs: this is a javascript: link.
    # Today it is accepted.
    workspace.scheme(edited("resume: Une aide pour les tests.", "resume: |-\n  Voir [x](java\n  script:alert(1))"))
    assert_refused(check(), [
        f"{E}:4:9: resume: lien « javascript:alert(1) » interdit (schéma « javascript: ») ; {ONLY_LINKS}"
    ])


@pytest.mark.parametrize(
    "value",
    [
        "Voir [ok](https://x.fr)",
        "Écrire à [la BAL](mailto:bal@exemple.fr)",
        "Appeler le [0 809 549 549](tel:+33809549549)",
    ],
    ids=["https", "mailto", "tel"],  # relative links: test_inert_records.py refuses them
)
def test_safe_links_are_accepted(workspace, check, value):
    workspace.scheme(edited("resume: Une aide pour les tests.", f"resume: {value}"))
    assert_accepted(check())


# --- output formats and the command line -------------------------------------


BAD_STATE = edited("  etat: ouvert", "  etat: bloque")
BAD_STATE_MESSAGE = f"valeur « bloque » inconnue ; valeurs possibles : {ETATS}"


def test_github_format(workspace, check):
    workspace.scheme(BAD_STATE)
    result = check("--format", "github")
    assert result.lines == [
        f"::error file={E},line=7,col=11,title=Repères %3A historique_statut[1].etat::historique_statut[1].etat: {BAD_STATE_MESSAGE}"
    ]
    assert result.code == 1
    assert_no_traceback(result)


def test_json_format(workspace, check):
    workspace.scheme(BAD_STATE)
    result = check("--format", "json")
    assert json.loads(result.out) == {
        "fichiers_verifies": 5,
        "nombre_erreurs": 1,
        "erreurs": [
            {"path": E, "line": 7, "column": 11, "field": "historique_statut[1].etat", "message": BAD_STATE_MESSAGE, "hint": None}
        ],
    }
    assert result.code == 1
    assert_no_traceback(result)


def test_unknown_option_is_a_usage_error(check):
    result = check("--frobnicate")
    assert result.code == 2
    assert result.out == ""
    assert result.err.splitlines()[0].startswith("usage : reperes")
    assert result.err.splitlines()[-1] == "reperes : erreur : argument inconnu : --frobnicate"
    assert_no_traceback(result)


def test_missing_folder_is_a_usage_error(check):
    result = check("nulle-part")
    assert result.code == 2
    assert result.out == ""
    assert result.err == "reperes : erreur : dossier « nulle-part » introuvable\n"
    assert_no_traceback(result)


def test_separate_process_prints_no_traceback(workspace):
    workspace.scheme(BAD_STATE)
    result = workspace.run_process("check")
    assert_refused(result, [f"{E}:7:11: historique_statut[1].etat: {BAD_STATE_MESSAGE}"])


def test_summary_counts_errors_and_files(workspace, check):
    workspace.scheme(BAD_STATE)
    workspace.write("schemes/outils/outil-exemple.yml", "id: outil-exemple\nnom: Outil\nobjet: Sert.\nsigle: NO\n")
    result = check()
    assert result.lines == [
        f"{E}:7:11: historique_statut[1].etat: {BAD_STATE_MESSAGE}",
        "schemes/outils/outil-exemple.yml:4:8: sigle: « NO » serait lu comme un booléen par YAML ; "
        "mettez la valeur entre guillemets : \"NO\"",
    ]
    assert result.err == "2 erreurs dans 2 fichiers (5 fichiers vérifiés)\n"
    assert result.code == 1


def test_summary_with_one_file_checked_is_singular(workspace, check):
    workspace.write("seul/glossaire.yml", "termes:\n  - sigle: NO\n    developpement: Non.\n")
    result = check("seul")
    assert result.lines == [
        "seul/glossaire.yml:2:12: termes[1].sigle: « NO » serait lu comme un booléen par YAML ; "
        "mettez la valeur entre guillemets : \"NO\""
    ]
    assert result.err == "1 erreur dans 1 fichier (1 fichier vérifié)\n"  # today: "(1 fichier vérifiés)"
    assert result.code == 1


# --- every problem of a file at once -----------------------------------------


def test_all_independent_problems_of_a_file_are_reported(workspace, check):
    text = (
        BAD_STATE.replace("nom: Aide exemple", "nom: Appuyez sur # puis 1")
        .replace("revu_le: 2026-11-01", "revu_le: 2024-02-30")
    )
    workspace.scheme(text)
    assert_refused(check(), [
        f"{E}:2:18: nom: le texte après « # » est ignoré (YAML le lit comme un commentaire) ; "
        "si « # » fait partie du texte, mettez toute la valeur entre guillemets ; "
        "sinon placez le commentaire sur sa propre ligne",
        f"{E}:7:11: historique_statut[1].etat: {BAD_STATE_MESSAGE}",
        f"{E}:17:10: revu_le: date « 2024-02-30 » invalide : ce jour n'existe pas",
    ])


def test_quoted_value_stays_on_one_line_of_the_report(workspace, check):
    # One problem, one line: a line break quoted from a contributor's value is
    # spelled out, in text and in GitHub annotations (never a second annotation).
    workspace.scheme(SCHEME.replace("site_referent: site-exemple", 'site_referent: "site\\n::error::faux"'))
    result = check()
    assert result.code == 1
    assert result.lines == [
        f"{E}:16:16: site_referent: identifiant « site\\n::error::faux » invalide : uniquement des "
        "minuscules sans accent, des chiffres et des tirets (par exemple « aide-embauche-jeunes »)"
    ]
    github = check("--format", "github")
    assert len(github.lines) == 1 and "\\n::error::faux" in github.lines[0]


def test_invisible_character_in_a_duplicate_key_s_value_names_the_key(workspace, check):
    workspace.scheme(SCHEME.replace("nom: Aide exemple", 'nom: Aide exemple\nnom: "Aide\\u200bbis"'))
    result = check()
    assert result.code == 1
    assert [line.split(": ", 2)[:2] for line in result.lines] == [
        [f"{E}:3:1", "nom"], [f"{E}:3:6", "nom"],
    ], result.lines
