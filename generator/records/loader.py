"""Strict YAML loading: bytes -> (data, positions), or RecordErrors.

Records are written by people who are not developers, so YAML is treated as
untrusted input. We read libyaml's *events* ourselves instead of letting a
constructor build objects:

* anchors, aliases and tags are refused when they are met, before anything
  could expand (an alias bomb costs one event, not millions of nodes);
* duplicate keys are refused, naming both lines;
* no YAML 1.1 guessing: a plain scalar becomes ``True``/``False`` only when
  written ``true``/``false``, an ``int`` only in plain decimal form, and
  anything YAML 1.1 would have turned into a boolean or a number (``NO``,
  ``off``, ``0123``, ``9:30``, ``1.10``) becomes an ``Ambiguous`` value that
  no field accepts, so the message can say "quote it". Dates stay text and
  are parsed by the models, which report invalid ones with their line;
* every position is kept, keyed by the path of the value, so a validation
  error on ``circuit[2].responsable`` points at its line and column.

Nothing here raises anything but ``RecordError`` (collected in a list).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

import yaml

try:  # libyaml's event parser: an order of magnitude faster than pure Python.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

from ..errors import FILE_FIELD, SYNTAX_FIELD, RecordError
from .syntax import MAX_DEPTH, SYNTAX_FALLBACK, Diagnosis, diagnose, may_be_prose, prose_key

MAX_BYTES = 256 * 1024
MAX_ERRORS_PER_FILE = 50
# Syntax mistakes repaired in one file to find the others (each repair re-parses the file).
MAX_REPAIRS = 10

Path = tuple[str | int, ...]

PLACEHOLDER = "\ufffd"
# Key under which the value of a duplicate key is read (and dropped): messages
# name the key itself.
DUPLICATE = "\0duplicate:"


class Ambiguous:
    """A plain scalar that YAML 1.1 would have turned into a bool or a number."""

    __slots__ = ("text", "kind")

    def __init__(self, text: str, kind: str) -> None:
        self.text = text
        self.kind = kind  # "booléen" or "nombre"

    def __repr__(self) -> str:
        return f"Ambiguous({self.text!r}, {self.kind!r})"


class Loaded:
    """A parsed record: its data and where each value and key starts (1-based).

    Positions serve only error messages, and a record's data only its model:
    a record read for the check keeps its bytes instead (*source*), and reads
    them again the first time a position (or, once validated and released,
    its data) is asked for, which only an error does. Most records never are.
    """

    __slots__ = ("_data", "_positions", "_key_positions", "source")

    def __init__(self, data: Any) -> None:
        self._data = data
        self._positions: dict[Path, tuple[int, int]] = {}
        self._key_positions: dict[Path, tuple[int, int]] = {}
        # (path, bytes, size) the positions and data are read again from
        self.source: tuple[str, bytes, int | None] | None = None

    def _read_again(self) -> None:
        if self.source is not None:
            again, _, _ = load_yaml(*self.source)
            self.source = None
            if again is not None:
                self._data, self._positions, self._key_positions = again._data, again._positions, again._key_positions

    @property
    def data(self) -> Any:
        if self._data is None:
            self._read_again()
        return self._data

    @data.setter
    def data(self, value: Any) -> None:
        self._data = value

    def release_data(self) -> None:
        """Forget the data (its model holds what it says) when it can be read again."""
        if self.source is not None:
            self._data = None

    @property
    def positions(self) -> dict[Path, tuple[int, int]]:
        self._read_again()
        return self._positions

    @property
    def key_positions(self) -> dict[Path, tuple[int, int]]:
        self._read_again()
        return self._key_positions

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """Closest known position for *path*, walking up to its parents."""
        positions = self.positions
        table = self.key_positions if key else positions
        current = tuple(path)
        while current:
            if current in table:
                return table[current]
            if current in positions:
                return positions[current]
            current = current[:-1]
        return positions.get((), (1, 1))


# --- scalar resolution (what YAML 1.1 would guess, and what we do instead) ---

_BOOL_TRUE = {"true", "True", "TRUE"}
_BOOL_FALSE = {"false", "False", "FALSE"}
_BOOL_11 = {"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"}
_NULL = {"", "~", "null", "Null", "NULL"}
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\Z")
_INT_11 = re.compile(
    r"""[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)\Z"""
)
_FLOAT_11 = re.compile(
    r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9_]+(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))\Z""",
    re.X,
)

# First characters of every plain scalar resolve_plain turns into something
# else than the text itself (null, booleans, numbers).
_RESOLVED_FIRST = frozenset("~nNtTfFyYoO0123456789+-.")


def resolve_plain(text: str) -> Any:
    if text in _NULL:
        return None
    if text in _BOOL_TRUE:
        return True
    if text in _BOOL_FALSE:
        return False
    if text in _BOOL_11:
        return Ambiguous(text, "booléen")
    first = text[0]
    if first in "0123456789+-.":
        if _DECIMAL.match(text):
            return int(text)
        # No YAML 1.1 number holds a space, nor a « - » but its sign's or its exponent's:
        # « 12 mois », « 2026-01-15 » are texts without the two patterns.
        if " " in text or ("-" in text[1:] and "e" not in text and "E" not in text):
            return text
        if _INT_11.match(text) or _FLOAT_11.match(text):
            return Ambiguous(text, "nombre")
    return text


_EVENT_NAMES = {cls: cls.__name__ for cls in vars(yaml.events).values() if isinstance(cls, type)}
_SCALAR, _MAPPING_END, _SEQUENCE_END = yaml.events.ScalarEvent, yaml.events.MappingEndEvent, yaml.events.SequenceEndEvent
_MAPPING_START, _SEQUENCE_START = yaml.events.MappingStartEvent, yaml.events.SequenceStartEvent
_SKIPPED = (yaml.events.StreamStartEvent, yaml.events.StreamEndEvent, yaml.events.DocumentEndEvent)

# --- characters ---

# Characters libyaml refuses outright (C0 but tab/LF/CR, DEL, C1 but NEL,
# surrogates, non-characters) and invisible ones that can disguise text:
# bidirectional overrides (CVE-2021-42574 class), zero-width characters,
# a BOM that is not at the start, tag characters. NEL (U+0085) and the line
# and paragraph separators (U+2028, U+2029) too: libyaml counts them as line
# breaks, which would shift every later error's line.
_FORBIDDEN_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
    "\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069"
    "\ufeff\ufff9-\ufffb\ufffe\uffff\ud800-\udfff\U000e0000-\U000e007f]"
)


def _char_name(char: str) -> str:
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} {name}" if name else code


def _char_kind(char: str) -> str:
    return "caractère de contrôle" if unicodedata.category(char) == "Cc" else "caractère invisible"


def decode_source(path: str, raw: bytes, size: int | None = None) -> tuple[str | None, list[RecordError]]:
    """Bytes of any file contributors write (record, guide, page) -> text.

    One rule for all: at most MAX_BYTES, UTF-8 (a leading BOM is dropped),
    errors at their line and column. *size* is the file's size when *raw*
    was read with a limit.
    """
    size = len(raw) if size is None else size
    if size > MAX_BYTES:
        return None, [RecordError(
            path, 1, 1, FILE_FIELD,
            f"fichier trop volumineux ({-(-size // 1024)} Kio ; maximum {MAX_BYTES // 1024} Kio)",
            "découpez le contenu ou retirez les textes copiés en double",
        )]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (b"\x00" in raw[:4] and raw):
        return None, [RecordError(path, 1, 1, FILE_FIELD, "le fichier est encodé en UTF-16", "enregistrez-le en UTF-8")]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        return None, [RecordError(
            path, line, column, FILE_FIELD,
            f"octet 0x{raw[exc.start]:02X} invalide : le fichier n'est pas encodé en UTF-8 (probablement Latin-1 ou Windows-1252)",
            "enregistrez le fichier en UTF-8",
        )]


def character_errors(
    path: str, text: str, *, first_line: int = 1, field_name: str = FILE_FIELD, limit: int = MAX_ERRORS_PER_FILE
) -> list[RecordError]:
    """Control and invisible characters of *text*, each at its line and column."""
    errors: list[RecordError] = []
    if not _FORBIDDEN_CHARS.search(text):
        return errors
    for number, line_text in enumerate(text.split("\n"), start=first_line):
        for match in _FORBIDDEN_CHARS.finditer(line_text):
            if len(errors) >= limit:
                return errors
            char = match.group()
            errors.append(RecordError(
                path, number, match.start() + 1, field_name,
                f"{_char_kind(char)} interdit {_char_name(char)}",
                "supprimez-le (il a pu être collé depuis un courriel ou un traitement de texte)",
            ))
    return errors


class _Frame:
    """A mapping or list being built (one per node: slots, no dataclass machinery)."""

    __slots__ = ("container", "path", "depth", "pending_key", "is_map", "key_lines")

    def __init__(self, container: dict | list, path: Path, depth: int, is_map: bool = True) -> None:
        self.container = container
        self.path = path
        self.depth = depth
        self.pending_key: str | None = None
        self.is_map = is_map
        self.key_lines: dict[str, int] = {}


class _Repairable(Exception):
    """A mistake met while building (a list item's text read as a key): the
    build stops, the text is repaired and parsed again."""

    def __init__(self, diagnosis: Diagnosis) -> None:
        super().__init__(diagnosis.message)
        self.diagnosis = diagnosis


class _Loader:
    def __init__(self, path: str, raw: bytes, size: int | None = None) -> None:
        self.path = path
        self.raw = raw
        self.size = len(raw) if size is None else size
        self.errors: list[RecordError] = []
        self.fatal = False  # structure unreliable: skip model validation
        self.syntax: Diagnosis | None = None  # the syntax problem that stopped the last build
        self.text = ""
        self.char_errors: list[int] = []  # indexes in self.errors
        self.record_positions = True  # else load_yaml keeps the bytes to read them again (Loaded.source)
        self.spans: list[tuple[tuple[int, int], tuple[int, int], Path]] = []
        self.aliases_reported: set[str] = set()
        self._lines: tuple[str, list[str]] | None = None
        # Lines where a comment follows other content: the only places where a
        # plain value can lose its end to a "#".
        self.comment_lines: set[int] = set()

    @property
    def lines(self) -> list[str]:
        """The lines of the text being parsed, split when first needed (a message, a repair)."""
        if self._lines is None or self._lines[0] is not self.text:
            self._lines = (self.text, self.text.split("\n"))
        return self._lines[1]

    def error(self, line: int, column: int, field_name: str, message: str, hint: str | None = None) -> None:
        if len(self.errors) < MAX_ERRORS_PER_FILE:
            self.errors.append(RecordError(self.path, line, column, field_name, message, hint))
        elif len(self.errors) == MAX_ERRORS_PER_FILE:
            self.errors.append(
                RecordError(self.path, line, column, FILE_FIELD, "trop d'erreurs dans ce fichier ; les suivantes ne sont pas affichées")
            )

    # -- bytes to text --

    def decode(self) -> str | None:
        text, errors = decode_source(self.path, self.raw, self.size)
        for error in errors:
            self.error(error.line, error.column, error.field, error.message, error.hint)
        if text is None:
            return None
        if not text.strip():
            self.error(1, 1, FILE_FIELD, "enregistrement vide", "un enregistrement commence par « id: … »")
            return None
        return text

    def check_characters(self, text: str) -> str:
        """Report forbidden characters; return the text with them blanked out."""
        for error in character_errors(self.path, text):
            self.char_errors.append(len(self.errors))
            self.error(error.line, error.column, error.field, error.message, error.hint)
        # A visible placeholder keeps every column in place and lets parsing go
        # on, so the errors can name the field the character was in.
        return _FORBIDDEN_CHARS.sub(PLACEHOLDER, text) if self.char_errors else text

    def check_decoded(self, value: str, position: tuple[int, int], field_name: str) -> None:
        """Characters written as escapes ("\\x00", "\\u202e") obey the same rule."""
        match = _FORBIDDEN_CHARS.search(value)
        if match is None:
            return
        char = match.group()
        escape = f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
        self.error(
            *position, _FORBIDDEN_CHARS.sub("", field_name) or FILE_FIELD,
            f"{_char_kind(char)} interdit {_char_name(char)} (écrit « {escape} » entre guillemets)",
            "supprimez cette séquence d'échappement",
        )
        self.fatal = True

    def name_fields_of_char_errors(self) -> None:
        for index in self.char_errors:
            if index >= len(self.errors):
                continue
            error = self.errors[index]
            here = (error.line, error.column)
            for start, end, path in self.spans:
                if start <= here < end:
                    self.errors[index] = dataclasses.replace(error, field=dotted(path) or FILE_FIELD)
                    break

    # -- events to data --

    def field_name(self, path: Path) -> str:
        return dotted(path) or FILE_FIELD

    def build(self, text: str) -> Loaded | None:
        loaded = Loaded(data=None)
        positions, key_positions = loaded._positions, loaded._key_positions
        record = self.record_positions
        parser = _Parser(text)
        get_event = parser.get_event  # None once the stream has ended: no check_event per event
        comment_lines = self.comment_lines
        inline = not self.char_errors  # with them, spans are recorded: take_value's path
        stack: list[_Frame] = []
        frame: _Frame | None = None  # stack[-1], or None at the top
        root: Any = None
        documents = 0
        has_root = False
        ahead: Any = None  # an event read after a key, to be taken by the next turn
        try:
            while True:
                if ahead is not None:
                    event, ahead = ahead, None
                elif (event := get_event()) is None:
                    break
                cls = type(event)
                if cls is _SCALAR and inline and event.anchor is None and event.tag is None:
                    # The common case, read here: a scalar without anchor or tag (take_value's rules).
                    # Its position is worked out only where something keeps or reports it.
                    if frame is not None and frame.is_map and frame.pending_key is None:
                        key = event.value
                        key_lines = frame.key_lines
                        mark = event.start_mark
                        if event.style or key == "<<" or (key in key_lines if key_lines else may_be_prose(key)):
                            # A quoted key, a merge, a duplicate, or a first key that may be a list item's text.
                            self.take_key(frame, event, "ScalarEvent", (mark.line + 1, mark.column + 1), loaded)
                            continue
                        key_lines[key] = mark.line + 1
                        if record:
                            key_positions[frame.path + (key,)] = (mark.line + 1, mark.column + 1)
                        # Its value, read here when it is a scalar without anchor or tag too (most are).
                        event = get_event()
                        if type(event) is not _SCALAR or event.anchor is not None or event.tag is not None:
                            frame.pending_key = key
                            ahead = event
                            if event is None:
                                break
                            continue
                        path: Path | None = frame.path + (key,) if record else None
                        container: Any = frame.container
                    elif frame is None:
                        path, container = (), None
                    elif frame.is_map:  # after a key read by take_key
                        key = frame.pending_key
                        frame.pending_key = None
                        path = frame.path + (key,) if record else None
                        container = None if key.startswith("\0") else frame.container
                    else:
                        path = frame.path + (len(frame.container),) if record else None
                        container, key = frame.container, None
                    value = event.value
                    style = event.style
                    commented = comment_lines and not style and value and event.end_mark.line in comment_lines
                    if path is None and (style == '"' or commented):
                        # for the message
                        path = frame.path + ((key,) if frame.is_map else (len(frame.container),))
                    if record or style == '"':
                        mark = event.start_mark
                        if record:
                            positions[path] = (mark.line + 1, mark.column + 1)
                    if not style:
                        if commented:
                            self.check_trailing_comment(event, dotted(path))
                        if not value or value[0] in _RESOLVED_FIRST:
                            value = resolve_plain(value)  # else text, as resolve_plain would say
                    elif style == '"' and _FORBIDDEN_CHARS.search(value):  # the only style with escapes
                        self.check_decoded(value, (mark.line + 1, mark.column + 1), dotted(path))
                    if frame is None:
                        root = value
                        has_root = True
                    elif key is None:
                        container.append(value)
                    elif container is not None:
                        container[key] = value
                    continue
                if cls is _MAPPING_END or cls is _SEQUENCE_END:
                    stack.pop()
                    frame = stack[-1] if stack else None
                    continue
                if (cls is _MAPPING_START or cls is _SEQUENCE_START) and event.anchor is None and event.tag is None:
                    # A mapping or list without anchor or tag, as a value (a key: take_key's path).
                    # (attach, written out: one mapping or list in six is one)
                    is_map = cls is _MAPPING_START
                    value = {} if is_map else []
                    if frame is None:
                        path, depth = (), 1
                        root = value
                        has_root = True
                    elif not frame.is_map:
                        path, depth = frame.path + (len(frame.container),), frame.depth + 1
                        frame.container.append(value)
                    elif (key := frame.pending_key) is not None:
                        path, depth = frame.path + (key,), frame.depth + 1
                        frame.pending_key = None
                        if not key.startswith("\0"):
                            frame.container[key] = value
                    else:
                        path = None  # a key: take_key's path
                    if path is not None:
                        if depth > MAX_DEPTH or record:
                            mark = event.start_mark
                            position = (mark.line + 1, mark.column + 1)
                            if record:
                                positions[path] = position
                            if depth > MAX_DEPTH:
                                self.too_deep(position, path)
                                return None
                        frame = _Frame(value, path, depth, is_map)
                        stack.append(frame)
                        continue
                if cls in _SKIPPED:
                    continue
                kind = _EVENT_NAMES.get(cls) or cls.__name__
                if kind == "DocumentStartEvent":
                    documents += 1
                    if documents > 1:
                        mark = event.start_mark
                        self.error(
                            mark.line + 1, mark.column + 1, SYNTAX_FIELD,
                            "plusieurs documents YAML dans un seul fichier",
                            "un seul enregistrement par fichier : retirez la ligne « --- » et créez un autre fichier",
                        )
                        self.fatal = True
                        return None
                    continue
                mark = event.start_mark
                position = (mark.line + 1, mark.column + 1)

                # Where does this event go?
                frame = stack[-1] if stack else None
                if frame is not None and frame.is_map and frame.pending_key is None:
                    self.take_key(frame, event, kind, position, loaded)
                    if kind in ("MappingStartEvent", "SequenceStartEvent"):
                        # A complex key: skip its whole content.
                        self.skip_node(parser)
                    continue
                if frame is None:
                    path = ()
                elif frame.is_map:
                    path = frame.path + (frame.pending_key,)
                else:
                    path = frame.path + (len(frame.container),)

                value = self.take_value(event, kind, path, position, loaded)
                if kind == "MappingStartEvent" or kind == "SequenceStartEvent":
                    depth = (frame.depth + 1) if frame else 1
                    if depth > MAX_DEPTH:
                        self.too_deep(position, path)
                        return None
                    new_frame = _Frame(value, path, depth, is_map=kind == "MappingStartEvent")
                self.attach(frame, value)
                if frame is None:
                    root = value
                    has_root = True
                if kind in ("MappingStartEvent", "SequenceStartEvent"):
                    stack.append(new_frame)
                    frame = new_frame
        except _Repairable as found:
            self.syntax = found.diagnosis
            return None
        except yaml.MarkedYAMLError as exc:
            def zero_based(mark: Any) -> tuple[int, int] | None:
                return (mark.line, mark.column) if mark is not None else None

            self.syntax = diagnose(
                exc.problem or str(exc), zero_based(exc.problem_mark or exc.context_mark),
                zero_based(exc.context_mark), self.lines,
            )
            return None
        except yaml.YAMLError as exc:  # reader errors and the like
            mark = getattr(exc, "problem_mark", None)
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            self.syntax = Diagnosis(line, column, *SYNTAX_FALLBACK)
            return None

        if not has_root or root is None:
            self.error(1, 1, FILE_FIELD, "enregistrement vide", "un enregistrement commence par « id: … »")
            self.fatal = True
            return None
        if not isinstance(root, dict):
            self.error(
                1, 1, FILE_FIELD,
                "un enregistrement doit être une suite de « clé: valeur » au premier niveau",
                "retirez le « - » en début de ligne ou les crochets",
            )
            self.fatal = True
            return None
        loaded.data = root
        return loaded

    def too_deep(self, position: tuple[int, int], path: Path) -> None:
        self.error(
            position[0], position[1], self.field_name(path[:4]) + "…",
            f"imbrication trop profonde (plus de {MAX_DEPTH} niveaux)",
            "un enregistrement n'a jamais besoin d'autant de niveaux",
        )
        self.fatal = True

    def skip_node(self, parser: Any) -> None:
        depth = 1
        while depth and parser.check_event():
            kind = type(parser.get_event()).__name__
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1

    def take_key(self, frame: _Frame, event: Any, kind: str, position: tuple[int, int], loaded: Loaded) -> None:
        if kind != "ScalarEvent":
            field_here = self.field_name(frame.path)
            if kind == "AliasEvent":
                self.error(*position, field_here, f"alias « *{event.anchor} » interdit comme clé", "écrivez la clé en toutes lettres")
            else:
                self.error(*position, field_here, "clé complexe interdite", "une clé est un simple mot, par exemple « nom: »")
            self.fatal = True
            frame.pending_key = "\0invalid"
            return
        key = event.value
        if not event.style and not frame.key_lines and may_be_prose(key):
            found = prose_key(self.lines, position[0] - 1, position[1] - 1, key)
            if found is not None:
                raise _Repairable(found)
        if event.style == '"':
            self.check_decoded(key, position, dotted(frame.path + (key,)))
        if self.char_errors:
            self.spans.append((position, (event.end_mark.line + 1, event.end_mark.column + 1), frame.path + (key,)))
        if event.anchor is not None or (event.tag is not None and event.tag != "!"):
            self.report_anchor_or_tag(event, position, dotted(frame.path + (key,)))
        if event.style == "" or event.style is None:
            if key == "<<":
                self.error(
                    *position, self.field_name(frame.path),
                    "clé de fusion « << » interdite",
                    "recopiez les champs au lieu de les fusionner",
                )
                self.fatal = True
        key_path = frame.path + (key,)
        if key in frame.key_lines:
            first = frame.key_lines[key]
            self.error(
                *position, dotted(key_path),
                f"clé « {key} » en double (déjà présente ligne {first})",
                "gardez une seule occurrence : YAML ne garderait que la dernière",
            )
            self.fatal = True
            frame.pending_key = DUPLICATE + key  # its value is read, never kept
            return
        frame.key_lines[key] = position[0]
        frame.pending_key = key
        loaded._key_positions[key_path] = position

    def report_anchor_or_tag(self, event: Any, position: tuple[int, int], field_name: str) -> None:
        if event.anchor is not None:
            self.error(
                *position, field_name or FILE_FIELD,
                f"ancre « &{event.anchor} » interdite",
                "les ancres et alias YAML ne sont pas acceptés : recopiez la valeur",
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            self.error(
                *position, field_name or FILE_FIELD,
                f"étiquette YAML « {shown} » interdite",
                "retirez-la : le type de chaque champ est fixé par le modèle",
            )
        self.fatal = True

    def take_value(self, event: Any, kind: str, path: Path, position: tuple[int, int], loaded: Loaded) -> Any:
        loaded._positions[path] = position
        if self.char_errors and kind == "ScalarEvent":
            self.spans.append((position, (event.end_mark.line + 1, event.end_mark.column + 1), path))
        if kind == "AliasEvent":
            field_name = dotted(path) or FILE_FIELD
            if event.anchor in self.aliases_reported:
                self.fatal = True
                return None
            self.aliases_reported.add(event.anchor)
            self.error(
                *position, field_name,
                f"alias « *{event.anchor} » interdit",
                "les ancres et alias YAML ne sont pas acceptés : recopiez la valeur",
            )
            self.fatal = True
            return None
        tag = event.tag
        explicit_tag = tag is not None and tag != "!" and not (kind != "ScalarEvent" and event.implicit)
        if event.anchor is not None or explicit_tag:
            self.report_anchor_or_tag(event, position, dotted(path) or FILE_FIELD)
        if kind == "MappingStartEvent":
            return {}
        if kind == "SequenceStartEvent":
            return []
        # ScalarEvent
        text = event.value
        if event.style == '"':  # the only style with escapes
            self.check_decoded(text, position, dotted(path))
        if event.style:  # quoted, literal or folded: always text
            return text
        if tag == "!":  # non-specific tag: text
            return text
        value = resolve_plain(text)
        if text and event.end_mark.line in self.comment_lines:
            self.check_trailing_comment(event, dotted(path))
        return value

    def check_trailing_comment(self, event: Any, field_name: str) -> None:
        """`texte: Appuyez sur # puis 1` silently loses "# puis 1": refuse it."""
        end = event.end_mark
        rest = self.lines[end.line][end.column :]
        if re.match(r"[ \t]+#", rest):
            column = end.column + len(rest) - len(rest.lstrip(" \t")) + 1
            self.error(
                end.line + 1, column, field_name,
                "le texte après « # » est ignoré (YAML le lit comme un commentaire)",
                "si « # » fait partie du texte, mettez toute la valeur entre guillemets ; sinon placez le commentaire sur sa propre ligne",
            )

    def attach(self, frame: _Frame | None, value: Any) -> None:
        if frame is None:
            return
        if frame.is_map:
            key = frame.pending_key
            frame.pending_key = None
            if key is not None and not key.startswith("\0"):
                frame.container[key] = value
        else:
            frame.container.append(value)


def dotted(path: Path) -> str:
    """('circuit', 1, 'responsable') -> 'circuit[2].responsable' (lists count from 1)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part).removeprefix(DUPLICATE).replace(PLACEHOLDER, "")
    return out


def load_yaml(
    path: str, raw: bytes, size: int | None = None, *, positions: bool = True
) -> tuple[Loaded | None, list[RecordError], bool]:
    """Parse one record file. Returns (loaded, errors, reliable).

    ``reliable`` is False when the structure itself is in doubt (syntax error,
    duplicate key, alias…): model validation would only add noise then.
    Without *positions*, they are read again from *raw* when first asked for.
    """
    loader = _Loader(path, raw, size)
    loader.record_positions = positions
    text = loader.decode()
    if text is None:
        return None, loader.errors, False
    # libyaml reads CRLF as one line break: the same lines, and the repairs see them as written.
    text = loader.check_characters(text).replace("\r\n", "\n")
    repaired_lines: set[int] = set()
    while True:
        loader.text = text
        loader.comment_lines = _comment_lines(text)
        before = (len(loader.errors), loader.fatal, set(loader.aliases_reported), list(loader.spans))
        loader.syntax = None
        loaded = loader.build(text)
        found = loader.syntax
        if found is None:
            break
        # Repaired as meant, the text is parsed again from the start, for the
        # file's other errors; what this attempt found before stopping is found again.
        resumes = found.repaired is not None and found.line not in repaired_lines \
            and len(repaired_lines) < MAX_REPAIRS
        if resumes:
            del loader.errors[before[0]:]
            loader.fatal, loader.aliases_reported, loader.spans = before[1], before[2], before[3]
        loader.error(found.line, found.column, SYNTAX_FIELD, found.message, found.hint)
        if not resumes:
            loader.fatal = True
            return None, _in_order(loader.errors), False
        repaired_lines.add(found.line)
        text = "\n".join(found.repaired)
    if loader.char_errors:
        loader.name_fields_of_char_errors()
        loader.fatal = True  # the placeholders would only add noise downstream
    if loaded is not None and not positions:
        loaded.source = (path, raw, size)
    return loaded, _in_order(loader.errors) if repaired_lines else loader.errors, not loader.fatal


def _comment_lines(text: str) -> set[int]:
    """0-based numbers of the lines where a comment follows other content:
    a « # » after blanks (space, tab) after a non-blank character of the same
    line (what « \\S[ \\t]+# » finds; a record has few « # », so each is looked at)."""
    found: set[int] = set()
    at = text.find("#")
    line, counted = 0, 0
    while at >= 0:
        before = at - 1
        while before >= 0 and text[before] in " \t":
            before -= 1
        if before >= 0 and before < at - 1 and not text[before].isspace():
            line += text.count("\n", counted, at)
            counted = at
            found.add(line)
        at = text.find("#", at + 1)
    return found


def _in_order(errors: list[RecordError]) -> list[RecordError]:
    return sorted(errors, key=lambda error: (error.line, error.column))
