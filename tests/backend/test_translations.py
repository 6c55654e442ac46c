"""Every French string of the code has an English translation, compiled into the shipped .mo.

The msgids are extracted the way the catalogues are built (``makemessages``, i.e. xgettext on a
copy of backend/, realtime/ and web/), so a string added without its English fails here rather
than showing up in French to English-speaking agents.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import django
import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("backend", "realtime", "web")
# Where Django looks for each domain at run time (LOCALE_PATHS, then the apps' locale dirs;
# the /jsi18n/ view serves the ``web`` package only).
CATALOGUES = {
    "django": [
        ROOT / "backend/locale/en/LC_MESSAGES/django.po",
        ROOT / "web/locale/en/LC_MESSAGES/django.po",
    ],
    "djangojs": [ROOT / "web/locale/en/LC_MESSAGES/djangojs.po"],
}
JS_DIR = ROOT / "web/static/web/js"

Key = tuple[str | None, str]  # (msgctxt, msgid)


class Entry:
    def __init__(self) -> None:
        self.ctxt: str | None = None
        self.msgid = ""
        self.plural: str | None = None
        self.strs: dict[int, str] = {}
        self.flags: set[str] = set()
        self.obsolete = False

    @property
    def key(self) -> Key:
        return (self.ctxt, self.msgid)

    @property
    def translated(self) -> bool:
        return "fuzzy" not in self.flags and bool(self.strs) and all(self.strs.values())


def parse_po(path: Path) -> dict[Key, Entry]:
    """A small .po reader: msgctxt, msgid, msgid_plural, msgstr[n], flags, obsolete entries."""
    entries: dict[Key, Entry] = {}
    entry = Entry()
    field: tuple[str, int] | None = None

    def flush() -> None:
        nonlocal entry
        if entry.msgid and not entry.obsolete:
            assert entry.key not in entries, (
                f"{path}: duplicate msgid {entry.msgid!r} (run msguniq)"
            )
            entries[entry.key] = entry
        entry = Entry()

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if not line:
            if field is not None:
                flush()
            field = None
            continue
        if line.startswith("#,"):
            if field is not None:
                flush()
                field = None
            entry.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            name, index, literal = match.groups()
            if name in ("msgctxt", "msgid") and field is not None and field[0].startswith("msgstr"):
                flush()
            field = (name.split("[")[0], int(index or 0))
            value = ast.literal_eval(literal)
        else:
            assert line.startswith('"') and field is not None, f"{path}: cannot read {raw!r}"
            value = ast.literal_eval(line)
        name, index = field
        if name == "msgctxt":
            entry.ctxt = (entry.ctxt or "") + value
        elif name == "msgid":
            entry.msgid += value
        elif name == "msgid_plural":
            entry.plural = (entry.plural or "") + value
        else:
            entry.strs[index] = entry.strs.get(index, "") + value
    return entries


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[Key, Entry]]:
    """Run makemessages on a copy of the sources; return the msgids of each domain."""
    if not shutil.which("xgettext"):
        pytest.fail("xgettext (GNU gettext) is needed to extract the msgids")
    work = tmp_path_factory.mktemp("extract")
    ignore = shutil.ignore_patterns("locale", "__pycache__", "migrations", "css", "data", "*.svg")
    for name in SOURCES:
        shutil.copytree(ROOT / name, work / name, ignore=ignore)
    (work / "locale").mkdir()  # one catalogue per domain for everything
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    found: dict[str, dict[Key, Entry]] = {}
    for domain in CATALOGUES:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "-d",
                domain,
                "-l",
                "en",
                "--no-location",
            ],  # fmt: skip
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        # xgettext stops reading a file it misparses (it warns, e.g. on a "/" inside a regular
        # expression's [...]), silently dropping every later string of that file.
        assert "warning" not in done.stderr.lower(), done.stderr
        found[domain] = parse_po(work / "locale/en/LC_MESSAGES" / f"{domain}.po")
    return found


def django_msgids(domain: str) -> set[str]:
    """The msgids Django itself translates into French (its source strings are English)."""
    own: set[str] = set()
    for mo in Path(django.__file__).parent.rglob(f"locale/fr/LC_MESSAGES/{domain}.mo"):
        with mo.open("rb") as fh:
            own |= {k if isinstance(k, str) else k[0] for k in gettext.GNUTranslations(fh)._catalog}  # type: ignore[attr-defined]
    return own


@pytest.mark.parametrize("domain", list(CATALOGUES))
def test_every_msgid_has_an_english_translation(
    domain: str, extracted: dict[str, dict[Key, Entry]]
) -> None:
    known: dict[Key, Entry] = {}
    for path in CATALOGUES[domain]:
        for key, entry in parse_po(path).items():
            if entry.translated or key not in known:
                known[key] = entry
    assert extracted[domain], "the extraction found no msgid at all"
    # Django's own English msgids (in the admin templates we extend) come with Django's catalogues.
    django_own = django_msgids(domain)
    problems = {
        "missing from the catalogue": [
            k for k in extracted[domain] if k not in known and k[1] not in django_own
        ],
        "empty or fuzzy": [k for k in extracted[domain] if k in known and not known[k].translated],
        "plural forms unlike the code's": [
            k
            for k, e in extracted[domain].items()
            if k in known and (e.plural is None) != (known[k].plural is None)
        ],
    }
    report = [
        f"{what}: {msgid}" for what, keys in problems.items() for _ctxt, msgid in sorted(keys)
    ]
    assert not report, f"English {domain} translations to fix:\n" + "\n".join(report)


def test_extraction_sees_every_script_string(extracted: dict[str, dict[Key, Entry]]) -> None:
    """A plain scan of the modules' _("…") calls finds nothing xgettext did not."""
    literal = r'"((?:[^"\\\n]|\\.)*)"'
    seen: set[str] = set()
    for path in JS_DIR.glob("*.js"):
        text = re.sub(r"^\s*(//|/\*|\*).*$", "", path.read_text(encoding="utf-8"), flags=re.M)
        for match in re.finditer(r"(?<![\w.])_\(\s*" + literal + r"\s*\)", text):
            seen.add(ast.literal_eval(f'"{match.group(1)}"'))
        for match in re.finditer(r"(?<![\w.])ngettext\(\s*" + literal + r"\s*,\s*" + literal, text):
            seen.add(ast.literal_eval(f'"{match.group(1)}"'))
    assert len(seen) > 100
    missed = sorted(seen - {msgid for _ctxt, msgid in extracted["djangojs"]})
    assert not missed, "strings xgettext did not extract:\n" + "\n".join(missed)


@pytest.mark.parametrize(
    "po", sorted(ROOT.glob("*/locale/*/LC_MESSAGES/*.po")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_compiled_catalogue_matches_its_source(po: Path) -> None:
    """The committed .mo holds exactly the .po's translations (recompile with msgfmt)."""
    with po.with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    for entry in parse_po(po).values():
        if not entry.translated:
            continue
        key = entry.msgid if entry.ctxt is None else f"{entry.ctxt}\x04{entry.msgid}"
        if entry.plural is None:
            assert compiled.get(key) == entry.strs[0], f"{po.name}: {entry.msgid!r} not compiled"
        else:
            for n, text in entry.strs.items():
                assert compiled.get((key, n)) == text, (
                    f"{po.name}: {entry.msgid!r}[{n}] not compiled"
                )
    if shutil.which("msgfmt"):
        done = subprocess.run(
            ["msgfmt", "--check-format", "-o", os.devnull, str(po)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
