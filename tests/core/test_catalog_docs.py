"""The complete example in docs/catalogue-format.md loads and validates, and the docs cover every field."""

from __future__ import annotations

import re
from pathlib import Path

from ctdc_tui.core.catalog import CATALOG_KEYS, CATEGORY_FIELDS, RESOURCE_FIELDS, load_catalog

DOC = Path(__file__).resolve().parents[2] / "docs" / "catalogue-format.md"
BLOCK = re.compile(r"#### `([\w.-]+\.ya?ml)`\n\n```yaml\n(.*?)```", re.S)


def write_example(folder: Path) -> dict[str, str]:
    files = dict(BLOCK.findall(DOC.read_text(encoding="utf-8")))
    folder.mkdir()
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    return files


def test_the_example_is_complete_and_validates_clean(tmp_path: Path) -> None:
    files = write_example(tmp_path / "my-catalogue")
    assert set(files) == {"catalog.yaml", "getting-started.yaml", "funding.yaml"}
    catalog, problems = load_catalog(tmp_path / "my-catalogue")
    assert [p.format() for p in problems] == []
    assert catalog.title == "Neighbourhood Data Starter Shelf"
    counts = [(c.id, len(c.resource_ids)) for c in catalog.categories]
    assert counts == [("getting-started", 2), ("funding", 0)]
    full = catalog.resources["open-data-field-guide"]
    # The first resource uses every field, so a reader sees each one in place.
    assert all(getattr(full, name) for name in RESOURCE_FIELDS)
    assert full.year == 2023 and full.tags == ("open-data", "getting-started")
    assert full.alternate_urls == ("https://mirror.example.net/open-data-guide.pdf",)
    assert catalog.resources["data-walks"].title == "Data Walks: Sharing Findings on Foot"


def test_every_key_the_loader_knows_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for key in RESOURCE_FIELDS + CATALOG_KEYS:
        assert f"| `{key}` |" in text, key
    for key in CATEGORY_FIELDS:
        assert f"| `category.{key}` |" in text, key


def test_the_sample_validate_output_is_what_validate_prints(tmp_path: Path) -> None:
    """The sample output in the docs comes from the example with a bad url and an unknown key."""
    folder = tmp_path / "my-catalogue"
    write_example(folder)
    path = folder / "getting-started.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    url: https://example.org/data-walks\n", "    url: javascript:alert(1)\n    colour: blue\n"
    )
    path.write_text(text, encoding="utf-8")
    _, problems = load_catalog(folder)
    doc = DOC.read_text(encoding="utf-8")
    shown = "\n".join(problem.format().replace(str(tmp_path) + "/", "") for problem in problems)
    assert len(problems) == 2 and shown + "\nFAILED: my-catalogue: 1 resources" in doc, shown
