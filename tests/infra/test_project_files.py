"""The files a person who forks the project reads first say what the project does."""

import tomllib

import yaml

from tests.infra.packaging import ROOT


def test_the_license_file_is_the_license_pyproject_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text("utf-8")
    assert text.startswith("MIT License\n")
    assert "Permission is hereby granted, free of charge" in text


def test_ci_runs_the_tests_and_the_build_and_the_workflow_runs_ci() -> None:
    steps = (ROOT / ".ci" / "run").read_text("utf-8").split("\n")
    assert steps.index("make test") < steps.index("make build")
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text("utf-8"))
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "bash .ci/run" in runs
