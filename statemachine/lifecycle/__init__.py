"""The Order Help Center's rules: pure Python, no AWS SDK.

`OrderLifecycle` (python-statemachine) is the one source of truth for what can happen to an order
and which help actions a customer is offered; `explain` turns its enabled events into the help
catalogue with reasons and dates, in Spanish or English.
"""
