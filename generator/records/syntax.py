"""YAML syntax errors in French, at the line to fix, with the likely cause.

libyaml stops where it gives up, often a line after the mistake, and says so
in English. ``diagnose`` turns what it reports into the French message a
contributor can act on and, for the mistakes people make most, names the line
to fix and the cause:

* a text continued on a line that is not indented enough;
* a key moved to another level (to column 1, or one space off), which makes
  YAML read the next line as the rest of a text;
* « : » (colon and space) inside a text that is not quoted, in a value or in a
  list item (the list item parses, as a « clé: valeur », so ``prose_key``
  catches it when the loader meets such a key).

For those, the diagnosis also carries the file's lines repaired as the writer
meant them (the text quoted, the line indented), so the loader parses on and
reports the file's other errors. A repair never adds or removes a line: every
later position stays right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_DEPTH = 24  # the loader's nesting limit, named in its message


@dataclass(frozen=True)
class Diagnosis:
    """One syntax problem: where to fix it (1-based), why, and how."""

    line: int
    column: int
    message: str
    hint: str | None
    # The file's lines with this problem repaired as meant; None: parsing cannot go on.
    repaired: list[str] | None = None


_QUOTE_HINT = "si la valeur contient « : », « # », « [ » ou « { », mettez-la entre guillemets"

# libyaml's problem strings (scanner, parser, reader), by prefix, in French.
# Those that depend on the character met are handled in _syntax_message.
_SYNTAX_MESSAGES: tuple[tuple[str, str, str | None], ...] = (
    ("could not find expected ':'", "deux-points « : » manquant après une clé",
     "écrivez « clé: valeur » ; une valeur sur plusieurs lignes s'écrit après « | » ou entre guillemets"),
    ("mapping values are not allowed",
     "deux-points « : » inattendu (dans une valeur non protégée ou une indentation incorrecte)",
     "si le texte contient « : », mettez toute la valeur entre guillemets ; sinon vérifiez l'indentation"),
    ("mapping keys are not allowed", "« ? » inattendu à cet endroit", _QUOTE_HINT),
    ("block sequence entries are not allowed", "tiret de liste « - » inattendu à cet endroit",
     "une liste commence sur la ligne suivant sa clé, indentée ; ou mettez la valeur entre guillemets"),
    ("did not find expected ',' or ']'", "crochet « [ » non fermé", "ajoutez « ] » à la fin de la liste"),
    ("did not find expected ',' or '}'", "accolade « { » non fermée", "ajoutez « } » à la fin"),
    ("found unexpected end of stream", "guillemet non fermé", "fermez le guillemet ouvert plus haut"),
    ("found unexpected document indicator", "ligne « --- » ou « ... » à l'intérieur d'un texte entre guillemets",
     "fermez le guillemet avant cette ligne"),
    ("did not find expected key", "indentation incorrecte ou texte en trop après une valeur",
     "alignez la clé sur les autres clés du même niveau, ou mettez la valeur entre guillemets"),
    ("did not find expected '-' indicator", "mélange d'une liste (« - ») et de clés au même niveau",
     "vérifiez l'indentation de cette ligne"),
    ("did not find expected node content", "valeur attendue", _QUOTE_HINT),
    ("found unknown escape character", "séquence d'échappement inconnue après « \\ » entre guillemets doubles",
     "utilisez des guillemets simples, ou doublez la barre oblique « \\\\ »"),
    ("did not find expected hexdecimal number", "séquence d'échappement « \\x », « \\u » ou « \\U » incomplète",
     "utilisez des guillemets simples, ou doublez la barre oblique « \\\\ »"),
    ("found invalid Unicode character escape code", "séquence d'échappement Unicode invalide",
     "écrivez le caractère lui-même plutôt que son code"),
    ("found undefined tag handle", "étiquette YAML « ! » inconnue", "mettez la valeur entre guillemets"),
    ("did not find expected tag URI", "étiquette YAML « ! » invalide", "mettez la valeur entre guillemets"),
    ("did not find the expected '>'", "étiquette YAML « !< » non fermée", "mettez la valeur entre guillemets"),
    ("did not find URI escaped octet", "étiquette YAML « ! » invalide", "mettez la valeur entre guillemets"),
    ("found an incorrect", "étiquette YAML « ! » invalide", "mettez la valeur entre guillemets"),
    ("did not find expected '!'", "étiquette YAML « ! » invalide", "mettez la valeur entre guillemets"),
    ("did not find expected alphabetic or numeric character", "nom d'ancre « & » ou d'alias « * » manquant",
     "si « & » ou « * » fait partie du texte, mettez la valeur entre guillemets"),
    ("did not find expected comment or line break", "texte inattendu après « | » ou « > »",
     "écrivez le texte sur les lignes suivantes, indenté"),
    ("found an indentation indicator equal to 0", "indicateur d'indentation 0 après « | » ou « > »",
     "écrivez seulement « | » ou « > »"),
    ("found a tab character", "tabulation interdite", "utilisez des espaces"),
    ("did not find expected <document start>", "texte en trop après la fin de l'enregistrement",
     "vérifiez l'indentation, ou retirez ce qui suit"),
    ("exceeded maximum nesting depth", "imbrication trop profonde",
     f"{MAX_DEPTH} niveaux au plus : simplifiez la structure"),
    ("found unexpected ':'", "deux-points « : » inattendu", _QUOTE_HINT),
    ("found unexpected non-alphabetical character", "directive « % » invalide",
     "une ligne ne commence pas par « % » : mettez la valeur entre guillemets"),
    ("could not find expected directive name", "directive « % » invalide",
     "une ligne ne commence pas par « % » : mettez la valeur entre guillemets"),
    ("found unknown directive name", "directive « % » inconnue",
     "une ligne ne commence pas par « % » : mettez la valeur entre guillemets"),
    ("found duplicate %", "directive « % » en double", "retirez les lignes commençant par « % »"),
    ("found incompatible YAML document", "version YAML non prise en charge", "retirez la ligne « %YAML »"),
    ("found extremely long version number", "directive « %YAML » invalide", "retirez la ligne « %YAML »"),
    ("did not find expected", "syntaxe YAML invalide", "vérifiez la directive « % » ou retirez-la"),
)
SYNTAX_FALLBACK = ("syntaxe YAML invalide", "vérifiez l'indentation et les guillemets de cette ligne")


def syntax_message(problem: str, char: str) -> tuple[str, str | None]:
    """libyaml's English problem -> (French message, hint); never English."""
    if problem.startswith("found character that cannot start any token"):
        if char == "\t":
            return (
                "tabulation interdite pour l'indentation",
                "indentez avec des espaces (deux par niveau)",
            )
        if char:
            return (
                f"le caractère « {char} » ne peut pas commencer une valeur",
                f"mettez la valeur entre guillemets : \"{char}…\"",
            )
        return "caractère inattendu", _QUOTE_HINT
    for prefix, message, hint in _SYNTAX_MESSAGES:
        if problem.startswith(prefix):
            return message, hint
    return SYNTAX_FALLBACK


# --- the mistakes people make most -------------------------------------------

# "  - key: value": indentation, list dashes, the key up to the first « : »
# followed by a blank or the end of the line, then the value.
_KEY_LINE = re.compile(r"^(?P<indent> *)(?P<dash>(?:- +)*)(?P<key>[^\s'\"#\[\]{}|>-][^#]*?) *:(?=[ \t]|$)[ \t]*(?P<value>.*?)[ \t]*$")
# "  - text": a list item holding a plain text.
_ITEM_LINE = re.compile(r"^(?P<indent> *)(?P<dash>- +)(?P<value>[^\s'\"#\[\]{}|>&*!%@`].*?)[ \t]*$")
_QUOTES = ("'", '"')
SHOWN_TEXT = 50  # characters of a text quoted back in a hint


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _spaces(count: int) -> str:
    return "1 espace" if count == 1 else f"{count} espaces"


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _previous(lines: list[str], index: int) -> int | None:
    """Index of the last line before *index* holding something other than a comment."""
    for number in range(index - 1, -1, -1):
        if _is_content(lines[number]):
            return number
    return None


def quoted(text: str) -> str:
    """*text* as a double-quoted YAML scalar."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _shown(text: str) -> str:
    """*text* quoted for a hint, cut when long."""
    if len(text) <= SHOWN_TEXT:
        return quoted(text)
    return quoted(text[: SHOWN_TEXT - 10].rstrip() + "…")


def _with_line(lines: list[str], index: int, new: str) -> list[str]:
    repaired = list(lines)
    repaired[index] = new
    return repaired


def _reindented(lines: list[str], index: int, indent: int) -> list[str]:
    return _with_line(lines, index, " " * indent + lines[index].lstrip(" "))


def _quote_from(lines: list[str], index: int, column: int) -> list[str]:
    line = lines[index]
    return _with_line(lines, index, line[:column] + quoted(line[column:].rstrip()))


_QUOTE_TEXT = "« : » suivi d'une espace dans un texte sans guillemets : YAML y lit une nouvelle « clé: valeur »"


def _plain_value(match: re.Match[str] | None) -> bool:
    return bool(match and match.group("value") and not match.group("value").startswith((*_QUOTES, "|", ">", "[", "{", "&", "*", "!")))


def _colon_in_value(lines: list[str], index: int, column: int) -> Diagnosis | None:
    """`nom: Reset: step 1` (or a wrongly indented key glued to the text above)."""
    match = _KEY_LINE.match(lines[index])
    if match is None:
        return None
    key_colon = match.end("key")
    while lines[index][key_colon] != ":":
        key_colon += 1
    if column > key_colon and _plain_value(match):
        start = match.start("value")
        return Diagnosis(
            index + 1, start + 1, _QUOTE_TEXT,
            f"mettez le texte entre guillemets : {match.group('key')}: {_shown(match.group('value'))}",
            _quote_from(lines, index, start),
        )
    if column != key_colon:
        return None
    # This line's own key: YAML read it as the rest of a text begun above.
    above = _previous(lines, index)
    if above is None:
        return None
    previous = _KEY_LINE.match(lines[above])
    if not _plain_value(previous) or _indent(lines[above]) >= _indent(lines[index]):
        return None
    key, previous_key, indent = match.group("key"), previous.group("key"), _indent(lines[index])
    # A key of the same level above: the line above was moved out of its block.
    for number in range(above - 1, -1, -1):
        if not _is_content(lines[number]):
            continue
        if _indent(lines[number]) < indent:
            break
        sibling = _KEY_LINE.match(lines[number])
        if _indent(lines[number]) == indent and sibling and not sibling.group("dash"):
            return Diagnosis(
                above + 1, _indent(lines[above]) + 1,
                f"clé « {previous_key} » moins indentée que les clés voisines : YAML lit la ligne {index + 1} "
                "comme la suite de son texte",
                f"indentez « {previous_key} » de {_spaces(indent)}, comme « {sibling.group('key')} » "
                f"(ligne {number + 1}) ; ou, si elle est bien placée, retirez l'indentation de la ligne {index + 1}",
                _reindented(lines, above, indent),
            )
    return Diagnosis(
        index + 1, indent + 1,
        f"clé « {key} » trop indentée : YAML la lit comme la suite du texte de « {previous_key} » (ligne {above + 1})",
        f"alignez « {key} » sur « {previous_key} » ({_spaces(_indent(lines[above]))} en début de ligne)",
        _reindented(lines, index, _indent(lines[above])),
    )


def _continuation(lines: list[str], index: int) -> Diagnosis | None:
    """A text continued on a line indented no more than its key (or its dash)."""
    above = _previous(lines, index)
    if above is None or ":" in lines[index].split(" #")[0].rstrip().rstrip(":") and _KEY_LINE.match(lines[index]):
        return None
    item = _ITEM_LINE.match(lines[above])
    keyed = _KEY_LINE.match(lines[above])
    if _plain_value(keyed):
        need = _indent(lines[above]) + len(keyed.group("dash")) + 2
        whose = f"du texte de « {keyed.group('key')} » (ligne {above + 1})"
        more = f"plus que « {keyed.group('key')} »"
    elif item is not None and _KEY_LINE.match(lines[above]) is None:
        need = _indent(lines[above]) + len(item.group("dash"))
        whose = f"de l'élément de liste de la ligne {above + 1}"
        more = "comme le texte après le tiret"
    else:
        return None
    return Diagnosis(
        index + 1, _indent(lines[index]) + 1,
        f"ligne sans « clé: » : suite {whose}, pas assez indentée",
        f"indentez-la de {_spaces(need)}, {more} ; ou écrivez tout le texte sur une seule ligne",
        _reindented(lines, index, need),
    )


def _misaligned_key(lines: list[str], index: int) -> Diagnosis | None:
    """A key whose indentation matches no level open above it."""
    match = _KEY_LINE.match(lines[index])
    above = _previous(lines, index)
    if match is None or match.group("dash") or above is None:
        return None
    indent, previous_indent = _indent(lines[index]), _indent(lines[above])
    previous = _KEY_LINE.match(lines[above])
    if previous is None or indent >= previous_indent:
        return None
    return Diagnosis(
        index + 1, indent + 1,
        f"clé « {match.group('key')} » mal indentée ({_spaces(indent)}), à aucun niveau des clés au-dessus",
        f"alignez-la sur « {previous.group('key')} » (ligne {above + 1}, {_spaces(previous_indent)}) "
        "ou sur la clé dont elle dépend",
        _reindented(lines, index, previous_indent),
    )


_BLANK = re.compile(r"\s")


def may_be_prose(key: str) -> bool:
    """Whether *key* could be a list item's text read as a key (``prose_key``
    looks no further otherwise): the file's lines are then not needed."""
    return _BLANK.search(key) is not None


def prose_key(lines: list[str], line: int, column: int, key: str) -> Diagnosis | None:
    """`- Rassurer l'employeur : le dossier avance`: a list item that YAML reads
    as a « clé: valeur » because its text holds « : ». Record keys are single
    words; a key with a blank in it, right after a list dash, is such a text."""
    if not may_be_prose(key):
        return None
    text = lines[line]
    if not re.search(r"(?:^|\s)-\s+$", text[:column]):
        return None
    return Diagnosis(
        line + 1, column + 1, _QUOTE_TEXT,
        f"mettez le texte entre guillemets : - {_shown(text[column:].rstrip())}",
        _quote_from(lines, line, column),
    )


def diagnose(problem: str, mark: tuple[int, int] | None, context: tuple[int, int] | None, lines: list[str]) -> Diagnosis:
    """What libyaml reported (its problem, and its 0-based problem and context
    marks) -> the diagnosis, at the line to fix."""
    line, column = mark if mark else (0, 0)
    found = None
    if mark and line < len(lines):
        if problem.startswith("mapping values are not allowed"):
            found = _colon_in_value(lines, line, column)
        elif problem.startswith("could not find expected ':'") and context and context[0] < len(lines):
            found = _continuation(lines, context[0])
            line, column = context  # where the line without « : » begins, not where libyaml gave up
        elif problem.startswith("did not find expected key"):
            found = _misaligned_key(lines, line)
        elif problem.startswith(("did not find expected ',' or", "found unexpected end of stream")) and context:
            line, column = context  # the opening bracket or quote, not where libyaml gave up
    if found is not None:
        return found
    char = lines[line][column] if line < len(lines) and column < len(lines[line]) else ""
    message, hint = syntax_message(problem, char)
    return Diagnosis(line + 1, column + 1, message, hint)
