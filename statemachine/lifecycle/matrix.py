"""The help matrix, states × actions, derived from `OrderLifecycle`: the table support staff and
the documentation use to answer "what can the customer do now?"."""

from typing import Any, Literal

from lifecycle.actions import HelpAction
from lifecycle.help import state_reason
from lifecycle.i18n import messages, resolve_locale, translate
from lifecycle.order import OrderStatus
from lifecycle.order_lifecycle import guards_of, transitions_of
from lifecycle.policy import Policy

Offered = Literal["yes", "no", "conditional"]


def cell(status: OrderStatus, action: HelpAction, policy: Policy, locale: str) -> dict[str, str]:
    """Whether `status` offers `action` and the rule, in words."""
    offered: Offered
    if not transitions_of(action, status):
        offered = "no"
        reason, _ = state_reason(action, status)
        texts = messages(resolve_locale(locale))["reasons"][reason]
        rule = translate(locale, "reasons", reason, "rule" if "rule" in texts else "default")
    elif guards := guards_of(action, status):
        offered = "conditional"
        limits = policy.model_dump()
        rule = " ".join(translate(locale, "guards", name, **limits) for name in guards)
    else:
        offered, rule = "yes", translate(locale, "matrix", "offered")
    return {"offered": offered, "rule": rule}


def help_matrix(policy: Policy, locale: str = "en") -> dict[str, Any]:
    """`{"states": [...], "actions": [...], "cells": {STATE: {ACTION: {"offered", "rule"}}}}`."""
    return {
        "states": [str(status) for status in OrderStatus],
        "actions": [str(action) for action in HelpAction],
        "cells": {
            str(status): {
                str(action): cell(status, action, policy, locale) for action in HelpAction
            }
            for status in OrderStatus
        },
    }


def render_text(policy: Policy, locale: str = "en") -> str:
    """The matrix as a plain-text table, with each rule spelled out once below it."""
    matrix = help_matrix(policy, locale)
    word = {key: translate(locale, "matrix", key) for key in ("yes", "no", "conditional")}
    rules: list[str] = []
    rows: list[list[str]] = []
    for action in HelpAction:
        row = [translate(locale, "actions", action)]
        for status in OrderStatus:
            entry = matrix["cells"][status][action]
            text = word[entry["offered"]]
            if entry["offered"] == "conditional":
                if entry["rule"] not in rules:
                    rules.append(entry["rule"])
                text += f" [{rules.index(entry['rule']) + 1}]"
            row.append(text)
        rows.append(row)
    header = [translate(locale, "matrix", "action")] + [
        translate(locale, "states", status) for status in OrderStatus
    ]
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]

    def fmt(line: list[str]) -> str:
        return "  ".join(
            text.ljust(width) for text, width in zip(line, widths, strict=True)
        ).rstrip()

    lines = [translate(locale, "matrix", "title"), "", fmt(header), fmt(["-" * w for w in widths])]
    lines += [fmt(row) for row in rows]
    lines += ["", translate(locale, "matrix", "legend")]
    lines += [f"[{number}] {rule}" for number, rule in enumerate(rules, start=1)]
    return "\n".join(lines) + "\n"
