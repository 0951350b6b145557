"""No function in the product is more complex than cyclomatic complexity 15 (radon's measure)
but those listed here, each held to what it measured when the cap came in, until it is split
and its line goes: a function may not grow, nor a new one pass the cap."""

from pathlib import Path

import pytest
from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parent.parent / "registry"
CAP = 15
# Still to split, with what each measured (issue 25 tracks them).
OVER_THE_CAP = {
    "registry.transfer.headers:match_headers": 17,
    "registry.transfer.import_rows:record_of": 18,
    "registry.transfer.imports:_themes": 17,
    "registry.transfer.mapping:unknown_values": 17,
}


def measured() -> dict[str, int]:
    found = {}

    def walk(blocks, module: str, prefix: str = "") -> None:
        for block in blocks:
            name = prefix + block.name
            if hasattr(block, "methods"):  # a class: its methods count, not the class
                walk(block.methods, module, name + ".")
            else:
                found[f"{module}:{name}"] = block.complexity
            walk(getattr(block, "closures", []), module, name + ".")

    for path in sorted(PACKAGE.rglob("*.py")):
        module = path.relative_to(PACKAGE.parent).with_suffix("").as_posix().replace("/", ".")
        walk(cc_visit(path.read_text()), module)
    return found


MEASURED = measured()


def test_no_function_passes_the_cap_but_those_still_to_split():
    over = {name: value for name, value in MEASURED.items() if value > CAP}
    assert {name: value for name, value in over.items() if name not in OVER_THE_CAP} == {}


@pytest.mark.parametrize("name", sorted(OVER_THE_CAP))
def test_a_function_still_to_split_does_not_grow(name):
    assert name in MEASURED, "gone or renamed: take its line out of OVER_THE_CAP"
    assert MEASURED[name] <= OVER_THE_CAP[name]
    assert MEASURED[name] > CAP, "under the cap now: take its line out of OVER_THE_CAP"
