"""The strict loader's two paths and its positions read on demand.

The loader reads the common scalar (no anchor, no tag) and the common key
(plain, not the mapping's first, not a duplicate nor a merge) in its event
loop itself, every other event through the general path; a record read for
the check keeps its bytes and reads its positions again only when an error
asks for one. These tests put each refusal where the inline path would meet
it (deep, and after a mapping's first key), and compare the positions read
on demand with those read at once on every shipped record.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.records.loader import _BOOL_11, _BOOL_FALSE, _BOOL_TRUE, _NULL, _RESOLVED_FIRST, load_yaml, resolve_plain

ROOT = Path(__file__).resolve().parent.parent
P = "schemes/x.yml"
NO_ALIAS = "les ancres et alias YAML ne sont pas acceptés : recopiez la valeur"
NO_TAG = "retirez-la : le type de chaque champ est fixé par le modèle"
DUPLICATE_HINT = "gardez une seule occurrence : YAML ne garderait que la dernière"

DEEP = """\
id: x
circuit:
  - titre: Étape
    responsable: asp
    detail:
      a: 1
      b: deux
"""


def messages(text: str) -> list[str]:
    _, errors, _ = load_yaml(P, text.encode("utf-8"), positions=False)
    return [error.format_text() for error in errors]


@pytest.mark.parametrize(
    "old, new, expected",
    [
        pytest.param(
            "      b: deux", "      b: deux\n      b: trois",
            f"{P}:8:7: circuit[1].detail.b: clé « b » en double (déjà présente ligne 7) ; {DUPLICATE_HINT}",
            id="duplicate-after-first-key",
        ),
        pytest.param(
            "      b: deux", "      'b': deux\n      \"b\": trois",
            f"{P}:8:7: circuit[1].detail.b: clé « b » en double (déjà présente ligne 7) ; {DUPLICATE_HINT}",
            id="quoted-duplicates",
        ),
        pytest.param(
            "      b: deux", "      b: deux\n      <<: {c: 1}",
            f"{P}:8:7: circuit[1].detail: clé de fusion « << » interdite ; recopiez les champs au lieu de les fusionner",
            id="merge-key-after-first-key",
        ),
        pytest.param(
            "      b: deux", "      &k b: deux",
            f"{P}:7:7: circuit[1].detail.b: ancre « &k » interdite ; {NO_ALIAS}",
            id="anchor-on-key",
        ),
        pytest.param(
            "      b: deux", "      b: &v deux",
            f"{P}:7:10: circuit[1].detail.b: ancre « &v » interdite ; {NO_ALIAS}",
            id="anchor-on-value",
        ),
        pytest.param(
            "      b: deux", "      b: !!str deux",
            f"{P}:7:10: circuit[1].detail.b: étiquette YAML « !!str » interdite ; {NO_TAG}",
            id="tag-on-value",
        ),
        pytest.param(
            "      b: deux", "      !!str b: deux",
            f"{P}:7:7: circuit[1].detail.b: étiquette YAML « !!str » interdite ; {NO_TAG}",
            id="tag-on-key",
        ),
        pytest.param(
            "      b: deux", "      b: *nowhere",
            f"{P}:7:10: circuit[1].detail.b: alias « *nowhere » interdit ; {NO_ALIAS}",
            id="alias-value",
        ),
        pytest.param(
            "      b: deux", '      b: "deux\\u202e"',
            f"{P}:7:10: circuit[1].detail.b: caractère invisible interdit U+202E RIGHT-TO-LEFT OVERRIDE "
            "(écrit « \\u202e » entre guillemets) ; supprimez cette séquence d'échappement",
            id="escaped-invisible-value",
        ),
        pytest.param(
            "      b: deux", "      b: Appuyez sur # puis 1",
            f"{P}:7:22: circuit[1].detail.b: le texte après « # » est ignoré (YAML le lit comme un commentaire) ; "
            "si « # » fait partie du texte, mettez toute la valeur entre guillemets ; "
            "sinon placez le commentaire sur sa propre ligne",
            id="trailing-comment",
        ),
    ],
)
def test_refusals_at_depth_after_the_first_key(old, new, expected):
    assert new != old and old in DEEP
    assert messages(DEEP.replace(old, new)) == [expected]


def test_forbidden_character_names_its_field_after_the_first_key():
    text = DEEP.replace("      b: deux", "      b: de\u200bux")
    assert messages(text) == [
        f"{P}:7:12: circuit[1].detail.b: caractère invisible interdit U+200B ZERO WIDTH SPACE ; "
        "supprimez-le (il a pu être collé depuis un courriel ou un traitement de texte)"
    ]


@pytest.mark.parametrize("prefix", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_values_and_positions_whatever_the_line_breaks(prefix, newline):
    raw = prefix + DEEP.encode("utf-8").replace(b"\n", newline)
    loaded, errors, reliable = load_yaml(P, raw, positions=False)
    assert errors == [] and reliable
    assert loaded.data == {"id": "x", "circuit": [{"titre": "Étape", "responsable": "asp",
                                                   "detail": {"a": 1, "b": "deux"}}]}
    assert loaded.position(("circuit", 0, "detail", "b")) == (7, 10)
    assert loaded.position(("circuit", 0, "detail", "b"), key=True) == (7, 7)


def test_non_utf8_is_refused_at_its_byte():
    raw = DEEP.encode("latin-1")  # « Étape », line 3
    assert messages_raw(raw) == [
        f"{P}:3:12: fichier: octet 0xC9 invalide : le fichier n'est pas encodé en UTF-8 "
        "(probablement Latin-1 ou Windows-1252) ; enregistrez le fichier en UTF-8"
    ]


def messages_raw(raw: bytes) -> list[str]:
    _, errors, _ = load_yaml(P, raw, positions=False)
    return [error.format_text() for error in errors]


def shipped_records() -> list[Path]:
    files = sorted(path for path in (ROOT / "schemes").rglob("*.yml") if "_schemas" not in path.parts)
    assert len(files) > 20
    return files


def test_positions_read_on_demand_are_those_read_at_once():
    for path in shipped_records():
        raw = path.read_bytes()
        eager, eager_errors, _ = load_yaml(str(path), raw)
        lazy, lazy_errors, _ = load_yaml(str(path), raw, positions=False)
        assert [e.format_text() for e in lazy_errors] == [e.format_text() for e in eager_errors], path
        if eager is None:
            continue
        assert lazy.data == eager.data, path
        assert lazy.source is not None  # nothing read yet
        assert lazy.positions == eager.positions and lazy.key_positions == eager.key_positions, path
        assert lazy.source is None  # read once, then kept
        lazy.release_data()  # nothing to read it again from: kept
        assert lazy.data == eager.data, path
        released, _, _ = load_yaml(str(path), raw, positions=False)
        released.release_data()  # as load_file does once the model is validated
        assert released.data == eager.data and released.positions == eager.positions, path


def test_plain_scalars_left_as_text_start_with_no_resolved_character():
    # The loop skips resolve_plain for a plain scalar whose first character is
    # not in _RESOLVED_FIRST: every value resolve_plain changes starts with one.
    for special in (*_NULL, *_BOOL_TRUE, *_BOOL_FALSE, *_BOOL_11, "0123", "9:30", "1.10", ".inf", "-1", "+1"):
        assert special == "" or special[0] in _RESOLVED_FIRST, special
    for text in ("Aide", "élément", "(voir)", "« x »", "*gras*", "#1", "_x", "[a]", "@asp", "Éé"):
        assert text[0] not in _RESOLVED_FIRST and resolve_plain(text) == text


def test_the_checks_page_names_are_the_builds_pages():
    """`reperes check` knows the generated pages from the renderer's plan and
    renders only those a link's anchor points into: the plan names exactly
    the pages a build renders, in order, each with the build's text."""
    import datetime as dt

    from generator.records.corpus import load_corpus
    from generator.site.render import LazyPages, Renderer

    corpus = load_corpus(ROOT / "schemes", base=ROOT)
    assert not corpus.errors
    today = dt.date(2026, 11, 27)
    rendered = Renderer().render(corpus, today)
    lazy = LazyPages(Renderer().plan(corpus, today))
    assert list(lazy) == list(rendered)
    assert len(lazy) == len(rendered) > 50
    for path in ("index.md", "dispositifs/aej.md", "journal/index.md", "guides/index.md"):
        assert lazy[path] == rendered[path]


@pytest.mark.parametrize("text", [
    "12 mois", "4 000", "2026-01-15", "2026-1-5", "1-2", "1e-3", "1E-3", "-1e-3", "1.5e-10", "-12", "+12", "-1.5",
    "1_000", "0x1F", "0b101", "017", "1:30", "-1:30", "190:20:30.15", ".5", "-.inf", ".nan", "1.", "1-e3",
    "3e", "12\tmois", "-", "+", ".", "1 e-3", "0-0", "2026-01-15T10:00", "12-", "-1-",
])
def test_plain_numbers_read_without_the_patterns_as_with_them(text):
    """resolve_plain's shortcuts for texts (a space, an inner « - ») say what YAML 1.1's patterns say."""
    from generator.records.loader import _DECIMAL, _FLOAT_11, _INT_11

    expected = int(text) if _DECIMAL.match(text) else ("nombre" if _INT_11.match(text) or _FLOAT_11.match(text) else text)
    found = resolve_plain(text)
    assert (found.kind if hasattr(found, "kind") else found) == expected
