"""`sam build`, `sam validate` and `sam deploy --guided` work from the repository root."""

import tomllib

from tests.infra.packaging import ROOT


def test_sam_commands_find_the_template_and_deploy_takes_the_built_one() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text("utf-8"))["default"]
    for command in ("build", "validate"):
        assert (ROOT / config[command]["parameters"]["template_file"]).is_file(), command
    deploy = config["deploy"]["parameters"]
    # Deploying the source template would upload unbuilt code; without a template_file
    # `sam deploy` takes .aws-sam/build/template.yaml.
    assert "template_file" not in deploy
    assert "CAPABILITY_IAM" in deploy["capabilities"]  # the functions' roles
    assert deploy["resolve_s3"] is True
