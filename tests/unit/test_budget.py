"""What a 503 may say of the invocation's writes (`budget.write_in_doubt`): nothing changed only
when no transaction of it was applied or may have been."""

from botocore.exceptions import ReadTimeoutError

from orderhelp import budget

APPLIED = {"status_code": 200}


def test_without_a_transaction_nothing_is_in_doubt() -> None:
    with budget.invocation(10_000):
        assert budget.write_in_doubt() is False
    assert budget.write_in_doubt() is False  # (outside an invocation)


def test_a_transaction_whose_answer_was_lost_may_have_been_applied() -> None:
    with budget.invocation(10_000):
        budget._transaction_answered(None, ReadTimeoutError(endpoint_url="http://dynamodb"))
        assert budget.write_in_doubt() is True
        # and once the flow found it applied, it was
        budget.settled()
        assert budget.write_in_doubt() is True


def test_an_applied_transaction_is_not_nothing_changed_even_once_settled() -> None:
    # A rating applied, then its Idempotency-Key's record could not be saved in time: the 503
    # must not say that nothing changed
    with budget.invocation(10_000):
        budget._transaction_answered(APPLIED, None)
        assert budget.write_in_doubt() is True
        budget.settled()
        assert budget.write_in_doubt() is True


def test_a_refused_transaction_changed_nothing() -> None:
    with budget.invocation(10_000):
        budget._transaction_answered({"status_code": 400}, None)
        assert budget.write_in_doubt() is False
