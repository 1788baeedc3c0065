"""Moto's DynamoDB as the local stack and the handler tests use it: transactions that honour
their token, stay out of the stream when cancelled and cost what they write
(`dynamodb_transactions`); item answers written without moto's model-driven serializer
(`dynamodb_answers`); queries that read their partition alone (`dynamodb_partitions`); stream
records that wake the local stream readers (`stream_appends`)."""

from orderhelp_dev.local import (
    dynamodb_answers,
    dynamodb_partitions,
    dynamodb_transactions,
    stream_appends,
)


def install() -> None:
    """Once per process, before moto takes requests (idempotent)."""
    dynamodb_transactions.install()
    dynamodb_answers.install()
    dynamodb_partitions.install()
    stream_appends.install()
