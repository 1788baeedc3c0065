"""The shop's help policy and customer service's answer times: their defaults, and that a policy
snapshotted on an order can never change under it."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from lifecycle.actions import HelpAction as A
from lifecycle.actions import Question
from lifecycle.policy import CasePolicy, Policy

README = Path(__file__).resolve().parents[2] / "README.md"


def documented_defaults() -> dict[str, int]:
    """The numeric defaults of the README's policy settings table, by variable."""
    section = README.read_text("utf-8").split("## Policy settings", 1)[1]
    rows = re.findall(r"^\| `([A-Z_]+)` \| (\d+) \|", section, flags=re.MULTILINE)
    return {name: int(value) for name, value in rows}


def test_the_defaults_are_the_documented_ones() -> None:
    policy, cases = Policy(), CasePolicy()
    assert documented_defaults() == {
        "RETURN_WINDOW_DAYS": policy.return_window_days,
        "CLAIM_WINDOW_DAYS": policy.claim_window_days,
        "RETURN_DROP_OFF_DAYS": policy.return_drop_off_days,
        "DELAY_GRACE_HOURS": policy.delay_grace_hours,
        "CLOSE_SOLVED_AFTER_DAYS": cases.close_solved_after_days,
    }


# Money and irreversible steps are answered first; questions that can wait, later.
FIRST_RESPONSE_HOURS = {
    A.CANCEL_ORDER: 2,
    A.PAYMENT_ISSUE: 4,
    A.CHANGE_ADDRESS: 4,
    A.ITEM_PROBLEM: 12,
    A.DELIVERY_DELAY: 12,
    A.SHIPPING_DELAY: 24,
    A.RETURN_REQUEST: 24,
    A.CUSTOMS_DUTIES: 48,
    Question.GENERAL: 24,
}


def test_every_kind_of_case_has_its_first_answer_time() -> None:
    cases = CasePolicy()
    assert set(cases.first_response_hours) == set(A) | set(Question)
    for action, hours in FIRST_RESPONSE_HOURS.items():
        assert cases.first_response_within(action) == timedelta(hours=hours), action


def test_the_policy_speaks_in_durations() -> None:
    policy = Policy(return_window_days=45, claim_window_days=10, delay_grace_hours=6)
    assert (policy.return_window, policy.claim_window, policy.delay_grace) == (
        timedelta(days=45),
        timedelta(days=10),
        timedelta(hours=6),
    )
    cases = CasePolicy(close_solved_after_days=7, first_response_hours={"payment_issue": 1})
    assert cases.close_solved_after == timedelta(days=7)
    assert cases.first_response_within("payment_issue") == timedelta(hours=1)


@pytest.mark.parametrize(
    ("policy", "field", "value"),
    [
        (Policy(), "return_window_days", 90),
        (Policy(), "delay_grace_hours", 1),
        (CasePolicy(), "close_solved_after_days", 9),
    ],
)
def test_a_policy_never_changes_once_made(
    policy: Policy | CasePolicy, field: str, value: int
) -> None:
    # An order keeps the policy it was paid under: nothing may alter it afterwards.
    before = policy.model_dump()
    with pytest.raises(ValidationError) as refused:
        setattr(policy, field, value)
    assert [(e["type"], e["loc"]) for e in refused.value.errors()] == [
        ("frozen_instance", (field,))
    ]
    assert policy.model_dump() == before


@pytest.mark.parametrize(
    ("inside", "outside", "error", "msg", "ctx"),
    [
        (1, 0, "greater_than_equal", "Input should be greater than or equal to 1", {"ge": 1}),
        (90, 91, "less_than_equal", "Input should be less than or equal to 90", {"le": 90}),
    ],
)
def test_a_return_is_handed_to_the_carrier_within_one_to_ninety_days_of_its_approval(
    inside: int, outside: int, error: str, msg: str, ctx: dict[str, int]
) -> None:
    assert Policy(return_drop_off_days=inside).return_drop_off == timedelta(days=inside)
    with pytest.raises(ValidationError) as refused:
        Policy(return_drop_off_days=outside)
    assert [(e["type"], e["loc"], e["msg"], e["ctx"]) for e in refused.value.errors()] == [
        (error, ("return_drop_off_days",), msg, ctx)
    ]
