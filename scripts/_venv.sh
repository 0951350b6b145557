# Sourced by scripts/serve and scripts/test: find Python 3.11+, make or reuse .venv, install into it.
# Installing is skipped when pyproject.toml has not changed since the last install of that kind.

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "The registry needs Python 3.11 or newer; none was found on PATH (set PYTHON=...)." >&2
  return 1
}

ensure_venv() {
  # $1: what to install, "." or ".[test]"
  VENV="${REGISTRY_VENV:-.venv}"
  if [ ! -x "$VENV/bin/python" ]; then
    python=$(find_python)
    echo "Creating a virtual environment in $VENV with $python"
    "$python" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
  fi
  stamp="$VENV/.installed-$(echo "$1" | tr -c 'a-z' '_')"
  digest=$(cat pyproject.toml | "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "Installing the registry ($1) into $VENV"
    "$VENV/bin/python" -m pip install --quiet -e "$1"
    echo "$digest" > "$stamp"
  fi
  export PATH="$PWD/$VENV/bin:$PATH"
}
