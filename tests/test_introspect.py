"""The one walker of model annotations: what it says of a few fields."""

from __future__ import annotations

import datetime as dt

from generator.records.introspect import fields
from generator.records.models import Dispositif, EntreeHistorique, Etat, ModeOperatoire, Orientation, Redirection


def test_fields_are_unwrapped_from_annotated_optional_and_list() -> None:
    steps = fields(ModeOperatoire)["etapes"]  # Annotated[list[Annotated[str, …]], Field(min_length=1)]
    assert (steps.is_list, steps.optional, steps.type, steps.required) == (True, False, str, True)
    assert "_check_text" in steps.validators and steps.description == "Les étapes, une par élément de liste, dans l'ordre."
    owner = fields(Dispositif)["site_referent"]  # Slug: Pydantic keeps its metadata aside
    assert (owner.type, owner.required, "_check_slug" in owner.validators) == (str, True, True)
    state = fields(EntreeHistorique)["etat"]
    assert (state.enum, state.model, state.is_list) == (Etat, None, False)
    orientation = fields(Dispositif)["orientation"]
    assert (orientation.model, orientation.optional, orientation.default()) == (Orientation, True, None)
    assert fields(Orientation)["a_rediriger"].model is Redirection and fields(Orientation)["a_rediriger"].default() == []
    assert fields(Dispositif)["revu_le"].type is dt.date and "_parse_date" in fields(Dispositif)["revu_le"].validators
    assert list(fields(Redirection)) == ["cas", "partenaire", "dispositif", "message"]
