"""One verification of the whole log, for the CLI, a restore and the auditor's page alike: the
hash chain, each checkpoint given, and the checks other domains register that their records
agree with their events (registry.integrity)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from registry.audit.checkpoints import verify_against
from registry.audit.services import verify_chain

# Other domains add checks that their records agree with the log: each a function returning a
# list of problems, kept in app.extensions under this name (see registry.integrity).
EXTRA_CHECKS = "registry_audit_checks"


@dataclass
class Verification:
    checked: int = 0  # events whose hashes verified
    problems: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)  # what was checked and found whole

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_everything(
    checkpoints: list[tuple[str, dict[str, Any]]] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> Verification:
    """Every check, each problem said in words. `checkpoints` are (name, body) pairs;
    `progress(step, done, total)` hears each step as it starts."""
    checks = current_app.extensions.get(EXTRA_CHECKS, [])
    total = 1 + len(checkpoints) + len(checks)
    step = 0

    def advance(name: str) -> None:
        nonlocal step
        if progress is not None:
            progress(name, step, total)
        step += 1

    result = Verification()
    advance("the hash chain")
    chain = verify_chain()
    result.checked = chain.checked
    if not chain.ok:
        result.problems.append(
            f"The chain breaks at event {chain.first_bad_seq}: {chain.problem} "
            f"({chain.checked} events before it verified)."
        )
        return result
    result.confirmed.append(f"{chain.checked} audit events verified; the chain is intact.")
    for name, body in checkpoints:
        advance(f"the checkpoint {name}")
        against = verify_against(body)
        if against.ok:
            result.confirmed.append(f"The log extends the checkpoint in {name}.")
        else:
            result.problems.append(f"Against the checkpoint in {name}: {against.problem}")
    for check in checks:
        advance(check.__name__.removeprefix("check_").replace("_", " "))
        result.problems.extend(check())
    if progress is not None:
        progress("done", total, total)
    return result
