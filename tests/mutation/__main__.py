"""`make mutation`: mutmut on the rules (statemachine/lifecycle/) against the unit tests, then
the score per file.

mutmut 2 writes each mutant into the source file it tests, so it runs in a scratch copy of the
project (.mutation/): the working tree is never left mutated, even by an interrupted run, and you
can keep editing while it runs. The copy's cache (.mutation/.mutmut-cache) makes the next run
incremental: killed mutants stay killed, survivors are tested again once a test file changes.
"""

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.mutation.report import print_report, read_scores

ROOT = Path(__file__).resolve().parents[2]
SCRATCH = ROOT / ".mutation"
COPIED = (
    "pyproject.toml",
    "README.md",
    "statemachine",
    "functions",
    "devtools",
    "tests",
    "web/data",
    "docs/events",
)
"""What the unit tests read: the rules, the code the CLI tests import, the README's diagram, the
page's copy of the address formats and the committed event schemas."""
SOURCE_ROOTS = ("statemachine", "functions", "devtools")
TIMEOUT_BASE_SECONDS = 30
"""A mutant times out past 30 s + 2 × the clean run: only a hang does, not a busy machine."""
FATAL = 1
"""mutmut's exit code is a bit set: 1 is a fatal error, 2/4/8 say mutants survived or were slow."""


def refresh_copy() -> None:
    SCRATCH.mkdir(exist_ok=True)
    skip = shutil.ignore_patterns("__pycache__", ".hypothesis", "*.egg-info", "node_modules")
    for name in COPIED:
        source, target = ROOT / name, SCRATCH / name
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            shutil.copytree(source, target, ignore=skip)
        else:
            shutil.copy2(source, target)
    shutil.copy2(Path(__file__).with_name("mutmut_config.py"), SCRATCH / "mutmut_config.py")


def scratch_environment() -> dict[str, str]:
    """The copy's source roots go first on the path, ahead of the editable install's finder."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(SCRATCH / root) for root in SOURCE_ROOTS)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def check_the_copy_is_tested(env: dict[str, str]) -> None:
    # Were the rules imported from the working tree, every mutant would survive unnoticed.
    probe = "import lifecycle, sys; print(lifecycle.__path__[0])"
    found = subprocess.run(
        [sys.executable, "-c", probe],
        check=False,
        cwd=SCRATCH,
        env=env,
        capture_output=True,
        text=True,
    )
    imported = Path(found.stdout.strip() or "?")
    if found.returncode != 0 or not imported.is_relative_to(SCRATCH):
        sys.exit(f"the unit tests would import the rules from {imported}, not from {SCRATCH}")


def pytest_arguments() -> list[str]:
    """The pytest arguments of pyproject's [tool.mutmut] runner (also what a by-hand
    `mutmut run` in .mutation/ uses)."""
    runner = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["mutmut"]
    prefix = ["python", "-m", "pytest"]
    command = shlex.split(runner["runner"])
    if command[: len(prefix)] != prefix:
        raise SystemExit(f"[tool.mutmut] runner should start with {' '.join(prefix)}")
    return command[len(prefix) :]


@contextmanager
def fork_server(env: dict[str, str]) -> Iterator[str]:
    """A running fork server (see forkserver.py); yields the client's command."""
    with tempfile.TemporaryDirectory(prefix="mutation-") as sockets:
        path = str(Path(sockets) / "forkserver.sock")
        server = subprocess.Popen(
            [sys.executable, "-m", "tests.mutation.forkserver", path], cwd=SCRATCH, env=env
        )
        try:
            deadline = time.monotonic() + 120
            while not Path(path).exists():
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("the mutation fork server did not start")
                time.sleep(0.05)
            client = SCRATCH / "tests" / "mutation" / "client.py"
            command = [sys.executable, "-S", str(client), *pytest_arguments()]
            env["MUTATION_FORKSERVER"] = path
            yield shlex.join(command)
        finally:
            server.terminate()
            server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.mutation", description=__doc__)
    parser.add_argument(
        "--fail-under",
        type=float,
        default=None,
        metavar="PERCENT",
        help="exit 1 when any rules file scores below PERCENT",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="print the last run's scores, run nothing"
    )
    parser.add_argument(
        "--paths",
        nargs="+",
        metavar="FILE",
        help="mutate only these rules files (e.g. statemachine/lifecycle/help.py); the scores of "
        "the others are read from the cache",
    )
    args = parser.parse_args(argv)
    if not args.report_only:
        refresh_copy()
        env = scratch_environment()
        check_the_copy_is_tested(env)
        mutmut = Path(sys.executable).with_name("mutmut")
        with fork_server(env) as runner:
            command = [str(mutmut), "run", "--simple-output", "--runner", runner]
            command += ["--test-time-base", str(TIMEOUT_BASE_SECONDS)]
            if args.paths:
                command += ["--paths-to-mutate", ",".join(args.paths)]
            if not sys.stdout.isatty():
                command.append("--no-progress")
            run = subprocess.run(command, check=False, cwd=SCRATCH, env=env)
        if run.returncode & FATAL:
            return FATAL
    scores = read_scores(SCRATCH / ".mutmut-cache", SCRATCH)
    print_report(scores)
    below = [score for score in scores if args.fail_under and score.percent < args.fail_under]
    if below:
        names = ", ".join(score.path for score in below)
        print(f"\nbelow {args.fail_under:g}%: {names}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
