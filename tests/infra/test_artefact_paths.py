"""The build check runs each artefact as Lambda would, with this machine's build in place of each
arm64 extension: a package of them, and a top-level extension module, whose file is named after
the platform it was built for (pillow-heif's `_pillow_heif.cpython-311-aarch64-linux-gnu.so`)."""

import importlib.util
from importlib.metadata import distribution
from pathlib import Path

from tests.lambda_process.artefacts import Artefact, lambda_paths

HEIF = distribution("pillow-heif")


def _layer_with_arm64_heif(root: Path) -> Path:
    layer = root / "layer" / "python"
    (layer / "pillow_heif").mkdir(parents=True)
    (layer / "pillow_heif" / "__init__.py").write_text("", "utf-8")
    (layer / f"pillow_heif-{HEIF.version}.dist-info").mkdir()
    (layer / "_pillow_heif.cpython-311-aarch64-linux-gnu.so").write_bytes(b"\x7fELF arm64")
    return layer


def test_a_top_level_arm64_extension_is_replaced_by_this_machines_build_under_its_name(
    tmp_path: Path,
) -> None:
    code = tmp_path / "code"
    code.mkdir()
    artefact = Artefact("F", "h.handler", code, (_layer_with_arm64_heif(tmp_path),))

    with lambda_paths(artefact) as ([_, opt], notes):
        placed = sorted(path.name for path in Path(opt).glob("_pillow_heif*"))
        # One module, under the name this machine's importer loads, linked to the host build
        host = importlib.util.find_spec("_pillow_heif")
        assert host is not None and host.origin is not None
        assert placed == [Path(host.origin).name]
        assert (Path(opt) / placed[0]).resolve() == Path(host.origin).resolve()
        assert "_pillow_heif.cpython-311-aarch64-linux-gnu.so: arm64 extension" in " ".join(notes)
