"""The help matrix for support staff (`orderhelp matrix`): the design's verdict in every cell,
each rule in words with the policy's numbers, and a text table whose footnotes match its cells."""

import pytest

from lifecycle.actions import HelpAction as A
from lifecycle.i18n import translate
from lifecycle.matrix import help_matrix, render_text
from lifecycle.order import OrderStatus
from lifecycle.policy import Policy
from tests.unit.design import EXPECTED_OFFERS, always

POLICY = Policy(return_window_days=45, claim_window_days=20, delay_grace_hours=6)


def design_verdict(status: OrderStatus, action: A) -> str:
    rule = EXPECTED_OFFERS[status].get(action)
    return "no" if rule is None else "yes" if rule is always else "conditional"


def test_every_cell_is_the_designs_verdict() -> None:
    matrix = help_matrix(POLICY)
    assert matrix["states"] == [str(status) for status in OrderStatus]
    assert matrix["actions"] == [str(action) for action in A]
    for status in OrderStatus:
        for action in A:
            cell = matrix["cells"][status][action]
            assert set(cell) == {"offered", "rule"}
            assert cell["offered"] == design_verdict(status, action), (status, action)


# Each kind of cell, in words: conditional rules carry the policy's own numbers.
RULES = [
    ("en", OrderStatus.PAID, A.CUSTOMS_DUTIES, "Offered."),
    ("es", OrderStatus.CREATED, A.CANCEL_ORDER, translate("es", "matrix", "offered")),
    ("en", OrderStatus.DELIVERED, A.RETURN_REQUEST, "Only within 45 days of delivery."),
    ("en", OrderStatus.DELIVERED, A.ITEM_PROBLEM, "Only within 20 days of delivery."),
    (
        "en",
        OrderStatus.PAID,
        A.SHIPPING_DELAY,
        "Only once the estimated ship-by date has passed (plus 6 h of grace) without a shipment.",
    ),
    (
        "en",
        OrderStatus.SHIPPED,
        A.DELIVERY_DELAY,
        "Only once the estimated delivery date has passed (plus 6 h of grace) without a delivery.",
    ),
    # a state that has not reached the action yet: the refusal's own words
    ("en", OrderStatus.CREATED, A.CUSTOMS_DUTIES, "Available once your payment has been received."),
    ("en", OrderStatus.PAID, A.RETURN_REQUEST, "Available once your order has shipped."),
    # a state past the action: the rule, not the dated message a customer reads
    ("en", OrderStatus.SHIPPED, A.CANCEL_ORDER, "No longer possible once the order has shipped."),
    (
        "en",
        OrderStatus.DELIVERED,
        A.DELIVERY_DELAY,
        "No longer possible once the order has been delivered.",
    ),
    ("es", OrderStatus.CANCELLED, A.CHANGE_ADDRESS, "No disponible en un pedido cancelado."),
]


@pytest.mark.parametrize(("locale", "status", "action", "rule"), RULES)
def test_each_rule_in_words(locale: str, status: OrderStatus, action: A, rule: str) -> None:
    assert help_matrix(POLICY, locale)["cells"][status][action]["rule"] == rule


def columns(ruler: str) -> list[slice]:
    """The column spans, read off the row of dashes under the header."""
    spans, start = [], 0
    for run in ruler.split("  "):
        spans.append(slice(start, start + len(run)))
        start += len(run) + 2
    return spans


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_text_table_matches_the_matrix(locale: str) -> None:
    # Given the matrix under a policy whose two windows differ
    matrix = help_matrix(POLICY, locale)
    # When it is printed as text
    lines = render_text(POLICY, locale).split("\n")
    # Then it reads: title, blank, header, dashes, a row per action, blank, legend, footnotes
    assert lines[:2] == [translate(locale, "matrix", "title"), ""]
    header, ruler, rows = lines[2], lines[3], lines[4 : 4 + len(A)]
    spans = columns(ruler)
    assert set(ruler) == {"-", " "} and len(spans) == 1 + len(OrderStatus)

    def cells(line: str) -> list[str]:
        return [line[span].strip() for span in spans]

    states = [translate(locale, "states", status) for status in OrderStatus]
    assert cells(header) == [translate(locale, "matrix", "action"), *states]
    legend_at = 4 + len(A)
    assert lines[legend_at : legend_at + 2] == ["", translate(locale, "matrix", "legend")]
    footnotes = lines[legend_at + 2 :]
    assert footnotes[-1] == ""  # the text ends with a newline
    footnotes = footnotes[:-1]
    # …and every cell says its verdict, a conditional one with the number of its rule
    numbered: list[str] = []
    for action, row in zip(A, rows, strict=True):
        label, *verdicts = cells(row)
        assert label == translate(locale, "actions", action)
        for status, text in zip(OrderStatus, verdicts, strict=True):
            cell = matrix["cells"][status][action]
            word = translate(locale, "matrix", cell["offered"])
            if cell["offered"] != "conditional":
                assert text == word
                continue
            if cell["rule"] not in numbered:
                numbered.append(cell["rule"])
            assert text == f"{word} [{numbered.index(cell['rule']) + 1}]"
    assert footnotes == [f"[{n}] {rule}" for n, rule in enumerate(numbered, start=1)]
    assert len(numbered) == 4  # two windows, two deadlines


def test_rules_that_read_the_same_share_a_footnote() -> None:
    same_windows = Policy(return_window_days=30, claim_window_days=30)
    text = render_text(same_windows)
    assert text.count("[1] Only within 30 days of delivery.") == 1
    assert "[4]" not in text
