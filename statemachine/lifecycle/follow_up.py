"""What a customer's message on a closed case becomes.

A closed case is done; the customer writing on it again starts a follow-up. The follow-up goes on
with the closed case's help action only while the order's machine still offers that action: a
return asked for again after the return window closed, a cancellation after the order shipped, an
address change after it left, are no longer requests customer service can grant as such. Then
the message becomes a general question to customer service about the order (`Question.GENERAL`),
which agents answer like any other case, and the order's help section keeps saying why the action
itself is not offered.
"""

from datetime import datetime

from lifecycle.actions import CaseAction, HelpAction, Question
from lifecycle.order import Order
from lifecycle.order_lifecycle import enabled_events


def follow_up_action(closed_action: CaseAction, order: Order, now: datetime) -> CaseAction:
    """The action of the follow-up of a closed case about `closed_action`, for `order` at
    `now`: the same action while the order's machine takes it, else a general question."""
    if isinstance(closed_action, HelpAction) and closed_action in enabled_events(order, now):
        return closed_action
    return Question.GENERAL
