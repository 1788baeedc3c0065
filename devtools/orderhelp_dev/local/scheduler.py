"""The template's schedules, fired locally: every `Schedule` (EventBridge rule) and `ScheduleV2`
(EventBridge Scheduler) event of a function invokes it on its `rate(…)`, or every
`--schedule-every` seconds, with the event the AWS service would send."""

import json
import re
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from orderhelp_dev.local.template import LOCAL_ACCOUNT_ID, FunctionSpec, resolve

SCHEDULE_TYPES = ("Schedule", "ScheduleV2")
_RATE = re.compile(r"^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Schedule:
    function: str
    name: str
    kind: str
    """`Schedule` (an EventBridge rule) or `ScheduleV2` (EventBridge Scheduler)."""
    expression: str
    every_seconds: float | None
    """None for expressions the local stack cannot time (cron), unless overridden."""
    input: Any = None
    """The template's `Input`: JSON text, with Scheduler's context attributes unfilled."""

    def event(self, region: str, now: datetime | None = None) -> Any:
        """What the service sends: the configured input (Scheduler fills in its context
        attributes, `<aws.scheduler.scheduled-time>` and the others), or its default
        notification."""
        moment = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        scheduler = self.kind == "ScheduleV2"
        service = "scheduler" if scheduler else "events"
        resource = f"schedule/default/{self.name}" if scheduler else f"rule/{self.name}"
        arn = f"arn:aws:{service}:{region}:{LOCAL_ACCOUNT_ID}:{resource}"
        if isinstance(self.input, str):
            attributes = {
                "schedule-arn": arn,
                "scheduled-time": moment,
                "execution-id": str(uuid.uuid4()),
                "attempt-number": "1",
            }
            text = self.input
            if scheduler:
                for name, value in attributes.items():
                    text = text.replace(f"<aws.scheduler.{name}>", value)
            return json.loads(text)
        if self.input is not None:
            return self.input
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": f"aws.{service}",
            "account": LOCAL_ACCOUNT_ID,
            "time": moment,
            "region": region,
            "resources": [arn],
            # EventBridge Scheduler's default notification carries its detail as a string.
            "detail": "{}" if scheduler else {},
        }


def rate_seconds(expression: str) -> float | None:
    match = _RATE.match(expression.strip())
    if match is None:
        return None
    amount, unit = int(match.group(1)), match.group(2).removesuffix("s")
    return float(amount * _UNIT_SECONDS[unit])


def template_schedules(
    functions: Mapping[str, FunctionSpec],
    refs: Mapping[str, Any],
    every_seconds: float | None = None,
) -> list[Schedule]:
    """The enabled schedules of `functions`; `every_seconds` replaces every rate."""
    schedules = []
    for spec in functions.values():
        for event_name, event in spec.events.items():
            if event.get("Type") not in SCHEDULE_TYPES:
                continue
            props = resolve(event.get("Properties", {}), refs)
            enabled = props.get("Enabled", True) is not False and str(
                props.get("State", "ENABLED")
            ).upper() in ("ENABLED", "TRUE")
            if not enabled:
                continue
            expression = str(props.get("ScheduleExpression") or props.get("Schedule", ""))
            raw_input = props.get("Input")
            schedules.append(
                Schedule(
                    function=spec.logical_id,
                    name=props.get("Name") or f"{spec.logical_id}{event_name}",
                    kind=event["Type"],
                    expression=expression,
                    every_seconds=every_seconds or rate_seconds(expression),
                    input=raw_input,
                )
            )
    return schedules


Fire = Callable[[Schedule], None]


class Scheduler:
    """Fires each schedule on its period (the first time one period after start). Each firing runs
    in its own thread, so a slow invocation never delays another schedule."""

    def __init__(self, schedules: list[Schedule], fire: Fire) -> None:
        self.schedules = [s for s in schedules if s.every_seconds]
        self._fire = fire
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)

    def start(self) -> None:
        if self.schedules:
            self._thread.start()

    def _run(self) -> None:
        start = time.monotonic()
        due = {index: start + (s.every_seconds or 0) for index, s in enumerate(self.schedules)}
        while not self._stop.is_set():
            index = min(due, key=due.__getitem__)
            if self._stop.wait(max(0.0, due[index] - time.monotonic())):
                return
            schedule = self.schedules[index]
            due[index] += schedule.every_seconds or 0
            threading.Thread(
                target=self._fire, args=(schedule,), name=f"schedule-{schedule.name}", daemon=True
            ).start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
