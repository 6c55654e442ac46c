"""The « Accueil » strings of the main screen and of its script exist in English too."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "page_says", "script_says"),
    [
        ("fr", "Tout marquer comme vu", "Nouveau sur votre accueil"),
        ("en", "Mark all as seen", "New on your home page: %(text)s"),
    ],
)
def test_the_home_view_speaks_french_and_english(alice, language, page_says, script_says):
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(alice)

    page = browser.get("/").content.decode()
    catalogue = browser.get("/jsi18n/").content.decode()

    assert page_says in page
    assert 'href="#/accueil"' in page
    if language == "en":
        assert script_says in catalogue
        assert "%(count)s new items since your last visit" in catalogue
