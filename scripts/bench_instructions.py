"""What one API listing costs the processor, counted in instructions rather than timed.

    .venv/bin/python scripts/bench_instructions.py --keep .bench/db            # 100,000 records
    .venv/bin/python scripts/bench_instructions.py --keep .bench/db --reader anonymous

Times on a shared two-core machine vary by a third from one run to the next, so a change of a
tenth cannot be seen in requests a second. valgrind's callgrind counts the instructions the
Python process runs instead, which are the same from run to run whatever else the machine is
doing. The script runs the registry in-process (the test client, no gunicorn, no sockets) on the
inventory `scripts/bench.py --keep` filled, twice under callgrind: once with a few requests and
once with `--requests` more, and prints the difference per request, so that starting Python and
the app counts for nothing. The file's audited reads add audit events, as any reader's would.

Needs valgrind (Debian's package). Each run takes a few minutes.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WARM = 20
ANSWERS = {
    # The answer issue 24 held to twice datasette's rate: a department's records by last update,
    # restricted ones among them, read with a staff token (each request audits its read).
    "staff": "/api/v1/datasets?department=PW&sort=-updated",
    "anonymous": "/api/v1/datasets?department=PW&sort=-updated",
}


def serve_requests(database: str, facts: dict, reader: str, count: int) -> None:
    """The measured process: WARM requests, then `count` more."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        REGISTRY_DATABASE_URL=f"sqlite:///{database}",
        REGISTRY_SECRET_KEY="benchmark-secret-key-0123456789abcdef",  # noqa: S106 - a throwaway's
        REGISTRY_HOUSEKEEPING_THREAD="false",
        REGISTRY_MAIL_BACKGROUND_SENDER="false",
        REGISTRY_RATELIMIT_ENABLED="false",
    )
    from registry import create_app

    client = create_app().test_client()
    headers = {"Authorization": f"Bearer {facts['token']}"} if reader == "staff" else {}
    for _ in range(WARM + count):
        answer = client.get(ANSWERS[reader], headers=headers)
        if answer.status_code != 200:
            raise SystemExit(f"{ANSWERS[reader]} answered {answer.status_code}")


def instructions(args, count: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "callgrind.log"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={folder}/callgrind.out",
                f"--log-file={log}",
                sys.executable,
                __file__,
                "--keep",
                args.keep,
                "--size",
                str(args.size),
                "--reader",
                args.reader,
                "--inside",
                str(count),
            ],
            check=True,
        )
        found = re.search(r"Collected : (\d+)", log.read_text())
        if found is None:
            raise SystemExit(f"callgrind printed no count: see {log}")
        return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", required=True, help="the folder scripts/bench.py --keep filled")
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--reader", choices=sorted(ANSWERS), default="staff")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--inside", type=int, help=argparse.SUPPRESS)  # the measured process
    args = parser.parse_args()
    database = Path(args.keep).resolve() / f"bench-{args.size}.sqlite3"
    facts = json.loads((Path(args.keep) / f"bench-{args.size}-sqlite.json").read_text())
    if args.inside is not None:
        serve_requests(str(database), facts, args.reader, args.inside)
        return
    few, more = instructions(args, 0), instructions(args, args.requests)
    per_request = (more - few) / args.requests / 1e6
    print(f"{ANSWERS[args.reader]} ({args.reader}): {per_request:.2f} M instructions a request")


if __name__ == "__main__":
    main()
