# shellcheck shell=bash
# Shared by scripts/start, scripts/test and .ci/run (sourced, never run): the project's virtual
# environment in .venv, created and (re)installed only when pyproject.toml changed.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PREAU_VENV:-$ROOT/.venv}"

say() { printf '\033[1m[preau]\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[1;31m[preau] error:\033[0m %s\n' "$*" >&2
    exit 1
}

# The first Python >= 3.11 found: $PYTHON, then python3.11 … python3.13, then python3.
find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3.11 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 14))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# ensure_venv [test]: .venv exists and holds the project (with the test extras when asked).
# A stamp records the pyproject.toml digest it was installed from, so reruns skip pip entirely.
ensure_venv() {
    local extras="${1:-}" python digest stamp="$VENV/.preau-installed" spec="."
    [ "$extras" = test ] && spec=".[test]"
    if [ ! -x "$VENV/bin/python" ]; then
        python="$(find_python)" || die "Python 3.11 to 3.13 is needed (set PYTHON=/path/to/python3.11)"
        say "creating $VENV with $python"
        "$python" -m venv "$VENV" || die "could not create the virtual environment in $VENV"
    fi
    digest="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    # The stamp's lines: "<digest> runtime" and/or "<digest> test" (which covers runtime).
    local want="$digest ${extras:-runtime}"
    if [ -f "$stamp" ]; then
        grep -qx "$want" "$stamp" && return 0
        [ -z "$extras" ] && grep -qx "$digest test" "$stamp" && return 0
    fi
    say "installing Préau and its dependencies into $VENV ($spec)"
    (cd "$ROOT" && "$VENV/bin/python" -m pip install --disable-pip-version-check -qq -e "$spec") ||
        die "pip install -e '$spec' failed"
    # A stamp from another pyproject.toml is stale as a whole.
    grep -q "^$digest " "$stamp" 2>/dev/null || : >"$stamp"
    echo "$want" >>"$stamp"
}

# compile_messages warn|strict: turn the .po catalogues into the .mo files Django reads, when a
# .mo is missing or older than its .po. Needs msgfmt (Debian: gettext).
compile_messages() {
    local mode="$1" po mo
    while IFS= read -r -d '' po; do
        mo="${po%.po}.mo"
        [ -f "$mo" ] && [ "$mo" -nt "$po" ] && continue
        if ! command -v msgfmt >/dev/null 2>&1; then
            [ "$mode" = strict ] && die "msgfmt is missing to compile $po (apt-get install gettext)"
            say "warning: msgfmt is missing (apt-get install gettext): translations stay uncompiled"
            return 0
        fi
        msgfmt --check-format -o "$mo" "$po" || die "msgfmt failed on $po"
    done < <(find "$ROOT/backend" "$ROOT/realtime" "$ROOT/web" -name '*.po' -print0 2>/dev/null)
}
