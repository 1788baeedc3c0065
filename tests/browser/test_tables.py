"""The page's translation tables: the same texts in Spanish and English, the same placeholders,
and the labels the page shows by itself equal to the rules' own (the API gives them too)."""

import json
import re

from lifecycle.case import RatingValue
from tests.browser.browser import LIFECYCLE_LOCALES, ROOT, WEB, leaves, web_table
from tests.browser.screenshots import SHOTS


def test_spanish_and_english_have_the_same_texts_with_the_same_placeholders() -> None:
    english, spanish = dict(leaves(web_table("en"))), dict(leaves(web_table("es")))
    assert english.keys() == spanish.keys()
    for key, text in english.items():
        assert set(re.findall(r"\{\w+\}", text)) == set(re.findall(r"\{\w+\}", spanish[key])), key


def test_state_case_and_action_labels_are_the_rules_own() -> None:
    for language in ("en", "es"):
        rules = json.loads((LIFECYCLE_LOCALES / f"{language}.json").read_text("utf-8"))
        page = web_table(language)
        for section in ("states", "case_states", "actions"):
            assert page[section] == rules[section], (language, section)


def test_every_rating_the_api_counts_has_a_name_in_both_languages() -> None:
    """The dashboard names the ratings' values (`console.rating_name`), as the API gives them."""
    for language in ("en", "es"):
        names = web_table(language)["console"]["rating_name"]
        assert names.keys() == {str(value) for value in RatingValue}, language


def test_the_country_list_is_the_rules_own() -> None:
    rules = json.loads((LIFECYCLE_LOCALES.parent / "data" / "countries.json").read_text("utf-8"))
    assert json.loads((WEB / "data" / "countries.json").read_text("utf-8")) == rules


def test_every_text_the_page_asks_for_exists() -> None:
    """Keys written whole in the page's code (t("orders.title")) are in the tables."""
    english = dict(leaves(web_table("en")))
    plural = {re.sub(r"_(one|other)$", "", key) for key in english}
    asked = set()
    for source in (WEB / "js").rglob("*.js"):
        asked |= set(
            re.findall(r'\b(?:t|phrase)\(\s*"([a-z_]+(?:\.[a-z_]+)+)"', source.read_text("utf-8"))
        )
    assert asked, "no t(...) call found"
    assert asked - english.keys() - plural == set()


def test_the_readme_links_every_screenshot_and_each_link_is_a_file() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    linked = set(re.findall(r"\((docs/screenshots/[^)]+\.png)\)", readme))
    taken = {
        f"docs/screenshots/{name}-{width}.png"
        for name, _, _ in SHOTS
        for width in ("desktop", "phone")
    }
    assert linked == taken
    assert [path for path in sorted(linked) if not (ROOT / path).is_file()] == []
