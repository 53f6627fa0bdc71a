"""« Signaler un problème sur cette fiche » in Chromium: on the first screen of
a scheme page, at desktop and phone sizes, leading to the forge's issue form
with the page and the record filled in, and to a mailto: to the owner site."""

from __future__ import annotations

from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from playwright.sync_api import Page, expect

SCHEME = "dispositifs/aej/"


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
                         ids=["bureau", "telephone"])
def test_the_link_is_on_the_first_screen_of_a_scheme_page(browser, site_url: str, viewport: dict) -> None:
    context = browser.new_context(locale="fr-FR", viewport=viewport)
    page: Page = context.new_page()
    try:
        page.goto(site_url + SCHEME)
        link = page.get_by_role("link", name="Signaler un problème sur cette fiche", exact=True)
        expect(link).to_have_count(1)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], box
        issue = link.get_attribute("href")
        assert issue is not None and issue.startswith("https://forge.exemple.invalid/asp/reperes/issues/new?")
        query = dict(parse_qsl(urlsplit(issue).query))
        assert query["template"] == "remontee.yml"
        assert query["page"] == "/" + SCHEME
        assert query["fiche"] == "Dispositif « Aide à l'embauche des jeunes » (dispositif aej)"
        mail = page.get_by_role("link", name="par courriel, sans compte sur la forge", exact=True)
        expect(mail).to_be_visible()
        href = mail.get_attribute("href")
        assert href is not None
        assert unquote(urlsplit(href).path) == "referent-alternance@exemple.invalid"
        assert dict(parse_qsl(urlsplit(href).query))["subject"] == "Remontée : Dispositif « Aide à l'embauche des jeunes »"
    finally:
        context.close()
