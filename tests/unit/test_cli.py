"""`orderhelp matrix` and `orderhelp diagram`."""

import json
from pathlib import Path

import pytest

from lifecycle.actions import HelpAction
from lifecycle.diagram import lifecycle_mermaid
from lifecycle.order import OrderStatus
from orderhelp_dev.cli import DIAGRAM_END, DIAGRAM_START, main, readme_with_diagram

README = Path(__file__).resolve().parents[2] / "README.md"


def test_matrix_json_has_every_state_and_action(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "--json"]) == 0
    matrix = json.loads(capsys.readouterr().out)
    assert matrix["states"] == ["created", "paid", "shipped", "delivered", "cancelled"]
    assert matrix["actions"] == [str(action) for action in HelpAction]
    assert matrix["cells"]["paid"]["shipping_delay"]["offered"] == "conditional"
    assert "ship-by" in matrix["cells"]["paid"]["shipping_delay"]["rule"]
    assert (
        matrix["cells"]["delivered"]["return_request"]["rule"] == "Only within 30 days of delivery."
    )
    assert matrix["cells"]["cancelled"]["payment_issue"]["offered"] == "yes"
    assert matrix["cells"]["shipped"]["cancel_order"] == {
        "offered": "no",
        "rule": "No longer possible once the order has shipped.",
    }
    for status in OrderStatus:
        assert set(matrix["cells"][status]) == set(HelpAction)


def test_matrix_reads_the_policy_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from orderhelp.config import policy_settings

    monkeypatch.setenv("RETURN_WINDOW_DAYS", "45")
    policy_settings.cache_clear()
    try:
        main(["matrix", "--json"])
    finally:
        policy_settings.cache_clear()
    matrix = json.loads(capsys.readouterr().out)
    assert (
        matrix["cells"]["delivered"]["return_request"]["rule"] == "Only within 45 days of delivery."
    )


def test_matrix_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["matrix", "--locale", "es"]) == 0
    table = capsys.readouterr().out
    assert "Cancelar el pedido" in table
    assert "Entregado" in table
    assert "condicional [1]" in table
    assert "Solo durante los 30 días siguientes a la entrega." in table


def test_the_committed_diagram_matches_the_machine() -> None:
    readme = README.read_text("utf-8")
    assert readme_with_diagram(readme) == readme, (
        "the README's diagram is stale: run `make diagram`"
    )
    assert "paid --> shipped : Ship" in lifecycle_mermaid()


def test_diagram_command_rewrites_only_its_block(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{DIAGRAM_START}\nold\n{DIAGRAM_END}\n\nAfter.\n", "utf-8")
    assert main(["diagram", "--readme", str(readme)]) == 0
    text = readme.read_text("utf-8")
    assert text.startswith("# Title\n\n") and text.endswith(f"{DIAGRAM_END}\n\nAfter.\n")
    assert "old" not in text
    assert lifecycle_mermaid().strip() in text
