"""Photos: the time from a 5 MB photo's upload to `ready`, and the processing function's peak
memory next to the memory the template gives it.

How: in a fresh process per measurement (so the peak is the processing's own), the template's
environment and tables in moto in-process, as the handler tests have them: the upload is asked
for through the API, posted to S3 under its policy (checked as S3 checks it), and S3's event runs
the processing function's handler; the attachment is read through the API until it is ready.
Beside it, in the same process, the same bytes are put and read back with the S3 client alone:
the ratio is what checking, re-encoding and recording add to moving the bytes. The peak is the
process's own maximum resident set after the handler ran (VmHWM: `ru_maxrss` would carry the
peak of the bench process that started it), against the function's `MemorySize`; the
worst case, a picture at the pixel limit (48 MP), is measured the same way."""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from tests.bench.report import Figure, print_table

RUNS = int(os.environ.get("BENCH_ATTACHMENT_RUNS", "3"))
FIVE_MB = 5 * 1024 * 1024
MEMORY_SHARE_GOAL = 0.7
"""The peak may use at most 70% of the configured memory: a margin for what a real photo's
decoder buffers add over these."""
READY_GOAL_SECONDS = 3.0


def _five_mb_photo() -> bytes:
    from tests.support import files

    width = 2400
    while True:
        data = files.photo(width, width * 3 // 4, gps=True)
        if len(data) >= FIVE_MB:
            return data
        width += 200


def _largest_photo() -> bytes:
    """48 MP (under the 50 MP limit) that fits the 10 MB limit: smooth, as a sky is."""
    import io

    from PIL import Image

    gradient = Image.linear_gradient("L").resize((8000, 6000))
    picture = Image.merge("RGB", (gradient, gradient.rotate(90, expand=False), gradient))
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90)
    return out.getvalue()


def child(path: str) -> dict[str, Any]:
    """One measurement, in this process: the photo in `path` through the whole path."""
    from pathlib import Path

    import boto3

    from tests.handlers.attachment_calls import REGION, attachment, bucket, post_form, process
    from tests.handlers.attachment_calls import request_upload as ask
    from tests.handlers.client import START, Api, Clock, Identity
    from tests.handlers.conftest import handler_world
    from tests.lambda_process.child import peak_rss_kb

    photo = Path(path).read_bytes()
    customer = Identity.customer("cust-bench")
    clock = Clock(START)
    with handler_world(clock) as dynamodb:
        api = Api(clock, dynamodb)
        s3 = boto3.client("s3", region_name=REGION)
        # The bytes moved alone: a put and a read of the same photo
        started = time.perf_counter()
        s3.put_object(Bucket=bucket(), Key="bench/raw", Body=photo)
        s3.get_object(Bucket=bucket(), Key="bench/raw")["Body"].read()
        raw = time.perf_counter() - started
        s3.delete_object(Bucket=bucket(), Key="bench/raw")
        before = peak_rss_kb()
        grant = ask(api, customer, "photo.jpg", "image/jpeg", len(photo))
        assert grant.status == 201, (grant.status, grant.body)
        started = time.perf_counter()
        key = post_form(grant.body, photo)
        assert isinstance(key, str), key
        process(key, len(photo))
        status = attachment(api, customer, grant.body["attachment_id"]).body["status"]
        ready = time.perf_counter() - started
        assert status == "ready", status
        peak = peak_rss_kb()
    return {
        "bytes": len(photo),
        "ready_s": ready,
        "raw_s": raw,
        "peak_kb": peak,
        "before_kb": before,
    }


def _measure(photo: bytes) -> dict[str, Any]:
    """In a fresh process, which reads the photo made here (making it costs memory too)."""
    with tempfile.NamedTemporaryFile(suffix=".jpg") as file:
        file.write(photo)
        file.flush()
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.bench_attachments", "--child", file.name],
            check=True,
            capture_output=True,
            text=True,
        )
    last = done.stdout.strip().splitlines()[-1]
    measured: dict[str, Any] = json.loads(last)
    return measured


def run(runs: int = RUNS) -> list[Figure]:
    from orderhelp_dev.local.template import functions

    memory_mb = functions()["AttachmentProcessingFunction"].memory_mb
    photo = _five_mb_photo()
    five = [_measure(photo) for _ in range(runs)]
    largest = _measure(_largest_photo())
    ready = statistics.median(m["ready_s"] for m in five)
    ratio = statistics.median(m["ready_s"] / m["raw_s"] for m in five)
    size_mb = five[0]["bytes"] / 1e6
    figures = [
        Figure(
            "a 5 MB photo",
            "upload to ready",
            ready,
            "s",
            READY_GOAL_SECONDS,
            f"{size_mb:.1f} MB JPEG with GPS in its EXIF; median of {runs}; S3's own delivery "
            "delay (seconds on AWS) not included",
        ),
        Figure(
            "a 5 MB photo",
            "ready / bytes moved alone",
            ratio,
            "×",
            context="what checking, re-encoding and recording add to a put and a read of it",
        ),
    ]
    for name, measured in (
        ("a 5 MB photo", max(five, key=lambda m: m["peak_kb"])),
        ("a 48 MP photo", largest),
    ):
        peak_mb = measured["peak_kb"] / 1024
        figures.append(
            Figure(
                "AttachmentProcessingFunction",
                f"peak memory, {name}",
                peak_mb / memory_mb,
                "×",
                MEMORY_SHARE_GOAL,
                f"{peak_mb:.0f} MB of its {memory_mb} MB (moto and the test's tables in the same "
                f"process, {measured['before_kb'] / 1024:.0f} MB before the upload)",
            )
        )
    return figures


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2])))
        return
    print_table("Photos and files (in-process moto, one fresh process per measurement)", run())


if __name__ == "__main__":
    main()
