"""A seeded generator of damaged catalogues, and what a correct loader must say about each.

``mutate(folder, kind, rng)`` writes a small valid catalogue (three categories of
three resources, taken from the bundled toolkit) into ``folder`` and damages it
one way. It returns a ``Mutation`` that says which file was hit and what the
loader must report: ``expect_error`` (an error must name that file), ``field``
and ``resource_id`` (the problem must name them), or nothing certain (a flipped
byte may land in a description and leave valid YAML: then only "no exception,
well-formed problems" can be asked).
"""

from __future__ import annotations

import copy
import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "data"
CATEGORY_FILES = (
    "ingredients.yaml",
    "engaging-low-income-residents.yaml",
    "mobilizing-for-collective-action.yaml",
)
REQUIRED = ("id", "title", "url")
OPTIONAL = ("authors", "organizations", "year", "kind", "tags", "description", "note", "title_full")


@dataclass
class Mutation:
    kind: str
    file: str  # the file that was damaged ("" when the damage is the folder itself)
    expect_error: bool = False  # the loader must report an error naming ``file``
    field: str | None = None  # ... naming this field
    resource_id: str | None = None  # ... and this resource
    untouched: list[str] = dataclasses.field(
        default_factory=list
    )  # category files left alone: their records must load
    duplicate_of: str | None = None  # an id that now appears twice
    sentinel: Path | None = None  # must not exist after loading (code execution check)


def _base() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    meta = yaml.safe_load((BUNDLED / "catalog.yaml").read_text(encoding="utf-8"))
    docs: dict[str, dict[str, Any]] = {}
    for name in CATEGORY_FILES:
        doc = yaml.safe_load((BUNDLED / name).read_text(encoding="utf-8"))
        doc["resources"] = (doc.get("resources") or [])[:3]
        docs[name] = doc
    meta["categories"] = [d["category"]["id"] for d in docs.values()]
    return meta, docs


_BASE = _base()


def base_ids(name: str) -> list[str]:
    return [r["id"] for r in _BASE[1][name]["resources"]]


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=100)


_BASE_TEXT = {"catalog.yaml": _dump(_BASE[0]), **{name: _dump(doc) for name, doc in _BASE[1].items()}}


def write_base(folder: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_dir():
            for inner in old.iterdir():
                inner.unlink()
            old.rmdir()
        else:
            old.unlink()
    for name, text in _BASE_TEXT.items():
        (folder / name).write_text(text, encoding="utf-8")
    return copy.deepcopy(_BASE)


def _others(name: str) -> list[str]:
    return [n for n in CATEGORY_FILES if n != name]


# Each mutator gets the folder, the rng and the parsed base; it writes the damage and says what to expect.
Mutator = Callable[[Path, random.Random, dict[str, Any], dict[str, dict[str, Any]]], Mutation]


def drop_required(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    name = rng.choice(CATEGORY_FILES)
    res = rng.choice(docs[name]["resources"])
    key = rng.choice(REQUIRED)
    rid = res["id"] if key != "id" else None
    del res[key]
    (folder / name).write_text(_dump(docs[name]), encoding="utf-8")
    return Mutation("drop-required", name, True, key, rid, _others(name))


def drop_optional(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    name = rng.choice(CATEGORY_FILES)
    res = rng.choice(docs[name]["resources"])
    present = [k for k in OPTIONAL if k in res]
    if present:
        del res[rng.choice(present)]
    (folder / name).write_text(_dump(docs[name]), encoding="utf-8")
    # Nothing is wrong: every record (this one included) must load without an error.
    return Mutation("drop-optional", name, False, None, res["id"], list(CATEGORY_FILES))


_WRONG_VALUES: list[Any] = [
    {"nested": {"mapping": [1, 2]}},
    [{"a": 1}, {"b": [2]}],
    {"x": None},
]


def _set_field(
    folder: Path, rng: random.Random, docs: Any, kind: str, key: str, values: list[Any]
) -> Mutation:
    """Give one random resource's ``key`` one of ``values``; the loader must name the file, field and id."""
    name = rng.choice(CATEGORY_FILES)
    res = rng.choice(docs[name]["resources"])
    res[key] = copy.deepcopy(rng.choice(values))
    rid = res["id"] if key != "id" else None
    (folder / name).write_text(_dump(docs[name]), encoding="utf-8")
    return Mutation(kind, name, True, key, rid, _others(name))


def swap_type(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    """A field gets a value of a type no field accepts (a mapping, a list of mappings)."""
    key = rng.choice([*REQUIRED, "year", "authors", "organizations", "tags", "description", "kind"])
    return _set_field(folder, rng, docs, "swap-type", key, _WRONG_VALUES)


def bad_year(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    return _set_field(folder, rng, docs, "bad-year", "year", ["twenty", "2016-ish", True, 2016.5, [2016]])


_BAD_URLS = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "ftp://example.org/x",
    "not a url",
    "",
    "  ",
    "http://",
    "\x1b]8;;http://evil\x1b\\",
    "vbscript:msgbox",
    "//example.org/no-scheme",
]


def bad_url(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    return _set_field(folder, rng, docs, "bad-url", "url", _BAD_URLS)


def bad_id(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    ids = ["Has Spaces", "UPPER", "../../etc/passwd", "", "[@click=app.quit]", "a\x1b[2Jb", "two//slashes"]
    return _set_field(folder, rng, docs, "bad-id", "id", ids)


def duplicate_id(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    source = rng.choice(CATEGORY_FILES)
    target = rng.choice(CATEGORY_FILES)
    res = copy.deepcopy(rng.choice(docs[source]["resources"]))
    res["title"] = "A copy with the same id"
    docs[target]["resources"].append(res)
    (folder / target).write_text(_dump(docs[target]), encoding="utf-8")
    untouched = [n for n in CATEGORY_FILES if n not in (source, target)]
    return Mutation("duplicate-id", target, True, None, res["id"], untouched, duplicate_of=res["id"])


def unknown_key(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    """An unknown key is a warning, not an error: the record still loads."""
    name = rng.choice(CATEGORY_FILES)
    res = rng.choice(docs[name]["resources"])
    key = rng.choice(["colour", "titel", "URL", "x-private", "tag"])
    res[key] = "surprise"
    (folder / name).write_text(_dump(docs[name]), encoding="utf-8")
    return Mutation("unknown-key", name, False, key, res["id"], list(CATEGORY_FILES))


def flip_bytes(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    name = rng.choice(["catalog.yaml", *CATEGORY_FILES])
    data = bytearray((folder / name).read_bytes())
    for _ in range(rng.randint(1, 8)):
        pos = rng.randrange(len(data))
        data[pos] = rng.choice([rng.randrange(256), data[pos] ^ (1 << rng.randrange(8))])
    (folder / name).write_bytes(bytes(data))
    untouched = _others(name) if name != "catalog.yaml" else []
    return Mutation("flip-bytes", name, False, None, None, untouched)


def truncate(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    name = rng.choice(["catalog.yaml", *CATEGORY_FILES])
    data = (folder / name).read_bytes()
    (folder / name).write_bytes(data[: rng.randrange(len(data))])
    untouched = _others(name) if name != "catalog.yaml" else []
    return Mutation("truncate", name, False, None, None, untouched)


_NOT_A_MAPPING = [
    b"",
    b"\n\n# only a comment\n",
    b"- a\n- b\n",
    b"just a string\n",
    b"42\n",
    b"~\n",
    b"[1, 2,",
]


def not_a_mapping(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    name = rng.choice(CATEGORY_FILES)
    (folder / name).write_bytes(rng.choice(_NOT_A_MAPPING))
    return Mutation("not-a-mapping", name, True, None, None, _others(name))


def bad_encoding(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    name = rng.choice(CATEGORY_FILES)
    text = (folder / name).read_text(encoding="utf-8")
    choice = rng.randrange(4)
    if choice == 0:
        data = text.encode("utf-16")
    elif choice == 1:
        data = text.replace("title:", "title: caf\xe9 ", 1).encode("latin-1", "replace")
    elif choice == 2:
        data = b"\xff\xfe\xfd" + text.encode("utf-8")
    else:
        data = text.encode("utf-8")[:200] + b"\xc3\x28 broken\n" + text.encode("utf-8")[200:]
    (folder / name).write_bytes(data)
    return Mutation("bad-encoding", name, True, None, None, _others(name))


def python_tag(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    """Tags that an unsafe YAML loader would turn into objects (and run code)."""
    name = rng.choice(CATEGORY_FILES)
    sentinel = folder.parent / f"pwned-{rng.randrange(10**9)}"
    payload = rng.choice(
        [
            f"!!python/object/apply:os.system ['touch {sentinel}']",
            f"!!python/object/apply:subprocess.call [['touch', '{sentinel}']]",
            f"!!python/object/new:subprocess.Popen [['touch', '{sentinel}']]",
            "!!python/name:os.system",
            "!!python/module:os",
            f'!!python/object/apply:builtins.exec [\'open("{sentinel}", "w")\']',
            "!!binary aGVsbG8=",
            "!!set {a, b}",
            "!custom-tag value",
        ]
    )
    where = rng.choice(["title", "description", "tags", "resources"])
    text = (folder / name).read_text(encoding="utf-8")
    if where == "resources":
        text += f"  - {payload}\n"
    else:
        text = text.replace(f"  {where}:", f"  {where}: {payload}\n  x-{where}:", 1)
    (folder / name).write_text(text, encoding="utf-8")
    return Mutation("python-tag", name, True, None, None, _others(name), sentinel=sentinel)


def structure(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    """Damage to the folder's shape: a missing or odd catalog.yaml, a listed category with no file."""
    choice = rng.randrange(6)
    if choice == 0:
        (folder / "catalog.yaml").unlink()
        return Mutation("structure", "catalog.yaml", True)
    if choice == 1:
        meta["categories"].append("no-such-category")
        (folder / "catalog.yaml").write_text(_dump(meta), encoding="utf-8")
        return Mutation("structure", "catalog.yaml", True, "categories", None, list(CATEGORY_FILES))
    if choice == 2:
        name = rng.choice(CATEGORY_FILES)
        (folder / name).unlink()
        (folder / name).mkdir()
        return Mutation("structure", name, True, None, None, _others(name))
    if choice == 3:
        name = rng.choice(CATEGORY_FILES)
        del docs[name]["category"]
        (folder / name).write_text(_dump(docs[name]), encoding="utf-8")
        return Mutation("structure", name, True, "category", None, _others(name))
    if choice == 4:
        name = rng.choice(CATEGORY_FILES)
        docs[name]["resources"] = {"not": "a list"}
        (folder / name).write_text(_dump(docs[name]), encoding="utf-8")
        return Mutation("structure", name, True, "resources", None, _others(name))
    name = rng.choice(CATEGORY_FILES)
    text = (folder / name).read_text(encoding="utf-8")
    (folder / name).write_text(text + "---\n" + text, encoding="utf-8")  # two YAML documents in one file
    return Mutation("structure", name, True, None, None, _others(name))


def deep_nesting(folder: Path, rng: random.Random, meta: Any, docs: Any) -> Mutation:
    """Nesting deep enough to exhaust a recursive parser or constructor."""
    name = rng.choice(CATEGORY_FILES)
    depth = rng.choice([2_000, 20_000, 100_000])
    opener, closer = rng.choice([("[", "]"), ("{a: ", "}")])
    text = (folder / name).read_text(encoding="utf-8")
    text = text.replace("  title:", f"  x-deep: {opener * depth}1{closer * depth}\n  title:", 1)
    (folder / name).write_text(text, encoding="utf-8")
    return Mutation("deep-nesting", name, False, None, None, _others(name))


MUTATORS: dict[str, Mutator] = {
    "drop-required": drop_required,
    "drop-optional": drop_optional,
    "swap-type": swap_type,
    "bad-year": bad_year,
    "bad-url": bad_url,
    "bad-id": bad_id,
    "duplicate-id": duplicate_id,
    "unknown-key": unknown_key,
    "flip-bytes": flip_bytes,
    "truncate": truncate,
    "not-a-mapping": not_a_mapping,
    "bad-encoding": bad_encoding,
    "python-tag": python_tag,
    "structure": structure,
    "deep-nesting": deep_nesting,
}


def mutate(folder: Path, kind: str, rng: random.Random) -> Mutation:
    meta, docs = write_base(folder)
    return MUTATORS[kind](folder, rng, meta, docs)


def alias_bomb(levels: int = 9, fanout: int = 10, where: str = "title") -> str:
    """A "billion laughs" category file: ``fanout ** levels`` strings behind one alias."""
    lines = ["category: {id: bomb, name: Bomb}", f'x-lol0: &lol0 "{"lol" * 10}"']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*lol{level - 1}"] * fanout)
        lines.append(f"x-lol{level}: &lol{level} [{refs}]")
    lines.append("resources:")
    lines.append("  - id: boom")
    lines.append("    url: https://example.org/boom")
    if where == "title":
        lines.append(f"    title: *lol{levels}")
    else:
        lines.append("    title: Boom")
        lines.append(f"    {where}: *lol{levels}")
    lines.append("  - id: fine-after-bomb")
    lines.append("    title: Fine")
    lines.append("    url: https://example.org/fine")
    return "\n".join(lines) + "\n"
