"""The shape of the code the style guide asks for, checked: imports flow one way (the inventory
knows nothing of the review side beyond the pure workflow, audit knows no other domain), no
function-local imports dodge a cycle, no module grows past about 400 lines, and a refused form
is answered one way (registry.web.forms)."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "registry"
MODULES = sorted(PACKAGE.rglob("*.py"))
# Modules whose job is to import late: the app factory wires everything.
WIRING = {"__init__.py", "extensions.py"}


def imports(path: Path, *, local_only: bool = False) -> list[str]:
    tree = ast.parse(path.read_text())
    top = set(tree.body)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom) or (local_only and node in top):
            continue
        if isinstance(node, ast.ImportFrom):
            found.append(node.module or "")
        else:
            found.extend(alias.name for alias in node.names)
    return [name for name in found if name.startswith("registry")]


def module_name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent)).removesuffix(".py").replace("/", ".")


# A domain's pages and API are callers like any other: an edit from them goes through the
# review side's edit (reviews.rereview.edit_dataset), which announces a round it opens.
WEB_LAYER = {"views.py", "api.py", "theme_views.py"}


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if p.parent.name == "datasets" and p.name not in WEB_LAYER],
    ids=module_name,
)
def test_the_inventory_imports_nothing_of_the_review_side_but_the_workflow(path):
    reviews = [name for name in imports(path) if name.startswith("registry.reviews")]
    assert set(reviews) <= {"registry.reviews.workflow"}


def test_the_city_priorities_import_nothing_of_the_inventory():
    """The inventory cites the city's priorities as it cites departments: the arrow points one
    way, so the priorities' measures can grow without a cycle."""
    path = PACKAGE / "performance" / "models.py"
    assert not [name for name in imports(path) if name.startswith("registry.datasets")]


@pytest.mark.parametrize("path", [p for p in MODULES if p.parent.name == "audit"], ids=module_name)
def test_audit_imports_no_other_domain(path):
    domains = {
        "accounts",
        "datasets",
        "reviews",
        "notifications",
        "catalog",
        "dashboard",
        "priorities",
        "performance",
        "transfer",
    }
    assert not [
        name for name in imports(path) if name.split(".")[1:2] and name.split(".")[1] in domains
    ]


@pytest.mark.parametrize(
    "path", [p for p in MODULES if p.name not in WIRING or p.parent != PACKAGE], ids=module_name
)
def test_no_function_local_imports(path):
    if path.name == "__init__.py" and path.parent == PACKAGE:
        pytest.skip("the app factory wires the domains late")
    assert imports(path, local_only=True) == []


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_no_module_is_past_about_400_lines(path):
    assert len(path.read_text().splitlines()) <= 420


def refusal_pages(path: Path) -> list[int]:
    """Lines where a handler of ValidationError renders a page or redirects itself, which
    registry.web.forms does for every view."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ExceptHandler) or not isinstance(node.type, ast.Name):
            continue
        if node.type.id != "ValidationError":
            continue
        calls = {
            call.func.id
            for statement in node.body
            for call in ast.walk(statement)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
        }
        if calls & {"render_template", "redirect", "flash"}:
            found.append(node.lineno)
    return found


@pytest.mark.parametrize(
    "path", [p for p in MODULES if p != PACKAGE / "web" / "forms.py"], ids=module_name
)
def test_no_view_renders_its_own_refused_form(path):
    assert refusal_pages(path) == []


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_no_signal_carries_a_domain_step(path):
    """Domain steps are calls that read top to bottom: no blinker signal between domains."""
    assert "blinker" not in path.read_text()


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_the_product_imports_no_benchmark_or_test_code(path):
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            found.append(node.module or "")
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    assert not [name for name in found if name.split(".")[0] in {"tests", "scripts"}]
