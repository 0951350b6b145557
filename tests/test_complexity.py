"""No function in the product is more complex than cyclomatic complexity 15, as radon measures
it: a function past it is split into steps that read top to bottom."""

from pathlib import Path

from radon.complexity import cc_visit

PACKAGE = Path(__file__).resolve().parent.parent / "registry"
CAP = 15


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


def test_no_function_passes_the_cap():
    assert {name: value for name, value in MEASURED.items() if value > CAP} == {}
