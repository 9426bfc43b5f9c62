"""Issue 13, security items: a hostile cache (7), a hostile revision (8), hostile text in Markdown (9).

Each test reproduces an attack or a failure found in the security review and
checks the mechanism that stops it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CORPUS, ROOT

# -- 8. `diff` and git: a revision is never an option, git's whole message is kept ------------------

BASE = (CORPUS / "diff" / "limit-raised.old.charter").read_text(encoding="utf-8")
ON = "2026-11-01"

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git_env(repo: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(NO_COLOR="1", GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull,
               GIT_CEILING_DIRECTORIES=str(repo.parent), HOME=str(repo.parent))
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")
    env.pop("DECISIONRIGHTS_CACHE_DIR", None)
    return env


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, env=_git_env(repo), capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _diff(cwd: Path, *args: str, repo: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "decisionrights", "diff", *args], cwd=cwd, env=_git_env(repo or cwd),
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "trunk")
    _git(repo, "config", "user.name", "Charter Tester")
    _git(repo, "config", "user.email", "charters@example.com")
    (repo / "org.charter").write_text(BASE, encoding="utf-8")
    (repo / "sub").mkdir()
    (repo / "sub" / "team.charter").write_text(BASE, encoding="utf-8")
    _git(repo, "add", "org.charter", "sub/team.charter")
    _git(repo, "commit", "-q", "-m", "charters")
    return repo


@needs_git
@pytest.mark.parametrize("spec", ["--output=written-by-git:org.charter", "-owritten-by-git:org.charter",
                                  "--output=sub/written-by-git:org.charter"])
def test_a_revision_that_looks_like_an_option_is_not_one(repo: Path, spec: str):
    before = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if ".git" not in p.parts)
    r = _diff(repo, "--", spec, "org.charter")
    assert sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if ".git" not in p.parts) == before  # no file
    assert not (repo / "written-by-git").exists()
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"decisionrights: error: cannot read `{spec}` from git:"), r.stderr
    assert "Traceback" not in r.stderr


@needs_git
def test_git_s_whole_error_is_kept(repo: Path):
    """From a sub-folder, git explains on one line and hints on the next: both reach the user."""
    r = _diff(repo / "sub", "HEAD:team.charter", "team.charter", "--on", ON, repo=repo)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert r.stderr.startswith("decisionrights: error: cannot read `HEAD:team.charter` from git: "
                               "fatal: path 'sub/team.charter' exists, but not 'team.charter'\n"), r.stderr
    assert "hint: Did you mean 'HEAD:sub/team.charter'" in r.stderr


@needs_git
def test_a_good_revision_still_reads(repo: Path):
    (repo / "org.charter").write_text(BASE.replace("amount <= 25k and", "amount <= 30k and"), encoding="utf-8")
    r = _diff(repo, "HEAD:org.charter", "org.charter", "--on", ON)
    assert r.returncode == 0, r.stderr
    assert "widened" in r.stdout


# -- 7. the compiled-charter cache: only what this user wrote is unpickled ---------------------------

import dataclasses
import pickle
import random
import stat
import time
import warnings

import decisionrights as dr
from helpers import EXAMPLES, charter_text

ACME = (EXAMPLES / "acme-finance.charter").read_text(encoding="utf-8")
SMALL = charter_text("role clerk\ndecision pay {\n  amount: money\n  vendor: text\n}\n"
                     "clerk may decide pay when amount <= 10\n"
                     'clerk may not decide pay when vendor == "acme"\n')
LOOSE = charter_text("role clerk\ndecision pay {\n  amount: money\n  vendor: text\n}\nclerk may decide pay\n")
DAY = "2026-06-01"


def _cache_module():
    from decisionrights import cache

    return cache


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch):
    """Each test sees the cache's warnings afresh (they are given once per process)."""
    try:
        monkeypatch.setattr(_cache_module(), "_warned", set())
    except ImportError:
        pass
    monkeypatch.delenv("DECISIONRIGHTS_CACHE_DIR", raising=False)


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle"))


def _small_is_right(charter: dr.Charter) -> None:
    assert charter.may("clerk", "pay", amount=5, vendor="bolt", on=DAY)
    assert not charter.may("clerk", "pay", amount=5_000_000, vendor="bolt", on=DAY)
    assert charter.may("clerk", "pay", amount=5, vendor="acme", on=DAY).reason == "forbidden"


def _load_quietly(text: str, folder: Path, path: str = "org.charter") -> dr.Charter:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dr.loads(text, path, cache=folder)


class _Planted:
    """Unpickling this calls `os.mkdir(marker)`: the code a planted entry runs."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_a_planted_pickle_runs_no_code(tmp_path: Path):
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    marker = tmp_path / "ran"
    for entry in _entries(folder):  # whatever its name: the name is a hash anyone can compute
        entry.write_bytes(pickle.dumps(_Planted(marker)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charter = dr.loads(SMALL, "org.charter", cache=folder)
    assert not marker.exists(), "unpickling a planted entry ran its code"
    _small_is_right(charter)
    assert [str(w.message) for w in caught if w.category is _cache_module().CacheWarning
            and "not an entry of this format" in str(w.message)], "the planted entry was dropped silently"
    assert _cache_module().MAGIC in _entries(folder)[0].read_bytes()[:64]  # rewritten as an entry of this user


def _impostor(text: str, path: str) -> object:
    """A CompiledCharter of LOOSE (no limit, no forbid) that claims the source of `text`."""
    from decisionrights.source import Source

    loose = dr.loads(LOOSE, path).compiled
    return dataclasses.replace(loose, source=Source(text, path))


def test_another_charter_with_the_original_s_source_does_not_pass(tmp_path: Path):
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    for entry in _entries(folder):
        entry.write_bytes(pickle.dumps(_impostor(SMALL, "org.charter")))
    charter = _load_quietly(SMALL, folder)
    _small_is_right(charter)  # the impostor allows 5M and the forbidden vendor


def test_an_entry_sealed_with_another_key_is_not_unpickled(tmp_path: Path):
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    marker = tmp_path / "ran"
    name = cache.entry_name(SMALL, "org.charter", dr.Limits())
    assert [p.name for p in _entries(folder)] == [name]
    for payload in (pickle.dumps(_Planted(marker)), pickle.dumps(_impostor(SMALL, "org.charter"))):
        (folder / name).write_bytes(cache.seal(os.urandom(32), name, SMALL, payload))
        cache._warned.clear()  # the same warning again: it is given once per process
        with pytest.warns(cache.CacheWarning, match="HMAC does not match"):
            charter = dr.loads(SMALL, "org.charter", cache=folder)
        assert not marker.exists()
        _small_is_right(charter)


def test_an_entry_with_the_right_key_but_another_text_is_refused(tmp_path: Path):
    """Defence in depth: an authentic entry is still checked against the text being loaded."""
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    key = (folder / cache.KEY_FILE).read_bytes()
    name = cache.entry_name(SMALL, "org.charter", dr.Limits())
    loose = pickle.dumps(dr.loads(LOOSE, "org.charter").compiled)
    (folder / name).write_bytes(cache.seal(key, name, LOOSE, loose))  # the digest of another text
    with pytest.warns(cache.CacheWarning, match="written for another text"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))
    (folder / name).write_bytes(cache.seal(key, name, SMALL, loose))  # the right digest, another charter inside
    with pytest.warns(cache.CacheWarning, match="holds something else than this charter"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))
    (folder / name).write_bytes(cache.seal(key, name, SMALL, pickle.dumps({"not": "a charter"})))
    cache._warned.clear()
    with pytest.warns(cache.CacheWarning, match="holds something else than this charter"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))


def test_a_new_cache_is_private_whatever_the_umask(tmp_path: Path):
    folder = tmp_path / "deep" / "cache"
    old = os.umask(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a fresh cache is used without a word
            dr.loads(SMALL, "org.charter", cache=folder)
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.iterdir())
    assert files and [p.name for p in files if p.name.endswith(".tmp")] == []
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
        assert file.stat().st_uid == os.geteuid()


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o722, 0o1777])
def test_a_folder_others_may_write_is_not_used(tmp_path: Path, mode: int):
    cache = _cache_module()
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(mode)
    with pytest.warns(cache.CacheWarning, match=r"writable by others \(mode"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))
    assert list(folder.iterdir()) == []  # nothing read, nothing written


def test_a_folder_that_was_open_to_others_is_not_trusted(tmp_path: Path):
    """An entry written while the folder was 0777 (by anyone) is used only once the folder is private again
    and then only if it carries the HMAC of the user's key."""
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    folder.chmod(0o777)
    name = cache.entry_name(SMALL, "org.charter", dr.Limits())
    (folder / name).write_bytes(pickle.dumps(_impostor(SMALL, "org.charter")))
    with pytest.warns(cache.CacheWarning, match="writable by others"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))
    folder.chmod(0o700)
    _small_is_right(_load_quietly(SMALL, folder))


def test_files_others_may_write_are_not_used(tmp_path: Path):
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    (entry,) = _entries(folder)
    entry.chmod(0o666)
    with pytest.warns(cache.CacheWarning, match=r"the entry is writable by others \(mode 0666\)"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600  # rewritten, private


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_key_others_may_read_is_refused(tmp_path: Path, mode: int):
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    key_file = folder / cache.KEY_FILE
    key_file.chmod(mode)
    name = cache.entry_name(SMALL, "org.charter", dr.Limits())
    # whoever read the key can seal an impostor: with the key's mode wrong, nothing sealed with it is used
    (folder / name).write_bytes(cache.seal(key_file.read_bytes(), name, SMALL,
                                           pickle.dumps(_impostor(SMALL, "org.charter"))))
    with pytest.warns(cache.CacheWarning, match=r"`key` file is readable or writable by others"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))


def test_a_key_of_the_wrong_size_or_a_link_is_refused(tmp_path: Path):
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    key_file = folder / cache.KEY_FILE
    key_file.write_bytes(b"short")
    with pytest.warns(cache.CacheWarning, match="not a key"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))
    key_file.unlink()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_bytes(os.urandom(32))
    elsewhere.chmod(0o600)
    key_file.symlink_to(elsewhere)
    with pytest.warns(cache.CacheWarning, match="cannot read or make its key"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))


def test_a_folder_or_file_of_another_user_is_not_used(tmp_path: Path, monkeypatch):
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    monkeypatch.setattr(cache, "_me", lambda: os.geteuid() + 1)  # as another user sees this folder
    with pytest.warns(cache.CacheWarning, match=r"the folder belongs to user id \d+, not to you"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to give a file away")
def test_an_entry_of_another_user_is_not_used(tmp_path: Path):
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    (entry,) = _entries(folder)
    os.chown(entry, 65534, 65534)
    with pytest.warns(cache.CacheWarning, match="the entry belongs to user id 65534"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))
    assert entry.stat().st_uid == 0
    folder.chmod(0o755)
    os.chown(folder, 65534, 65534)
    with pytest.warns(cache.CacheWarning, match="the folder belongs to user id 65534"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))


def test_a_link_in_place_of_an_entry_is_not_followed(tmp_path: Path):
    cache = _cache_module()
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    (entry,) = _entries(folder)
    target = tmp_path / "target"
    target.write_bytes(entry.read_bytes())
    entry.unlink()
    entry.symlink_to(target)
    with pytest.warns(cache.CacheWarning, match="cannot be read"):
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))
    assert not entry.is_symlink()


def test_text_with_a_bom_hits_the_same_entry(tmp_path: Path, monkeypatch):
    import decisionrights.charter as charter_module

    folder = tmp_path / "cache"
    plain = _load_quietly(SMALL, folder)
    with_bom = _load_quietly("\ufeff" + SMALL, folder)
    assert len(_entries(folder)) == 1
    assert with_bom.source.text == plain.source.text == SMALL

    def no_compiling(*args, **kwargs):
        raise AssertionError("compiled again: the cache was missed")

    monkeypatch.setattr(charter_module, "compile_charter", no_compiling)
    for text in ("\ufeff" + SMALL, SMALL):
        _small_is_right(_load_quietly(text, folder))


def test_an_edited_library_does_not_load_old_entries(tmp_path: Path, monkeypatch):
    cache = _cache_module()
    first = cache.entry_name(SMALL, "org.charter", dr.Limits())
    monkeypatch.setattr(cache, "_code_fingerprint", lambda: b"other code")
    assert cache.entry_name(SMALL, "org.charter", dr.Limits()) != first


def _corruptions(good: bytes, rng: random.Random, count: int):
    """Random bytes, truncations, bit flips, byte changes and insertions of a good entry."""
    for i in range(count):
        kind = i % 6
        if kind == 0:
            yield bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 7, 64, 200, len(good)])))
        elif kind == 1:
            yield good[:rng.randrange(len(good))]
        elif kind == 2:
            data = bytearray(good)
            for _ in range(rng.choice([1, 1, 2, 3])):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
            yield bytes(data)
        elif kind == 3:
            data = bytearray(good)
            data[rng.randrange(len(data))] = rng.choice([0, 0x7F, 0x80, 0xFF, ord("J"), ord("("), ord("."), 0x8A])
            yield bytes(data)
        elif kind == 4:
            at = rng.randrange(len(good))
            yield good[:at] + bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 9))) + good[at:]
        else:
            at = rng.randrange(len(good))
            yield good[:at] + good[at + rng.randint(1, 9):]


def test_corrupt_entries_are_skipped_and_rewritten(tmp_path: Path):
    """1,500 corruptions of an entry: each load compiles the charter and answers right, nothing raises,
    not in `loads` and not later in `may`; the entry is rewritten each time. Bounded in time."""
    folder = tmp_path / "cache"
    _load_quietly(SMALL, folder)
    (entry,) = _entries(folder)
    good = entry.read_bytes()
    rng = random.Random(13)
    start = time.monotonic()
    escaped = []
    tried = kept = 0
    for bad in _corruptions(good, rng, 1500):
        if bad == good:
            continue
        tried += 1
        entry.write_bytes(bad)
        try:
            _small_is_right(_load_quietly(SMALL, folder))
        except Exception as exc:  # noqa: BLE001 -- the test counts what escapes
            escaped.append(f"{type(exc).__name__}: {exc}"[:200])
        if entry.read_bytes() == bad:
            kept += 1
    elapsed = time.monotonic() - start
    assert tried > 1400
    assert escaped == [], f"{len(escaped)} of {tried} corruptions escaped: {sorted(set(escaped))[:10]}"
    assert kept == 0, f"{kept} corrupt entries were left in place"
    assert elapsed < 120, f"{tried} corrupt entries took {elapsed:.0f} s"


def test_the_cache_is_used_and_answers_like_a_fresh_load(tmp_path: Path, monkeypatch):
    import decisionrights.charter as charter_module

    folder = tmp_path / "cache"
    fresh = dr.loads(ACME, "acme.charter")
    _load_quietly(ACME, folder, "acme.charter")
    monkeypatch.setattr(charter_module, "compile_charter", lambda *a, **k: pytest.fail("the cache was missed"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cached = dr.loads(ACME, "acme.charter", cache=folder)
    for amount in (1, 20_000, 40_000, 300_000, 2_000_000):
        for day in ("2026-06-01", "2027-01-15"):
            a = fresh.may("controller", "purchase", amount=amount, category="software", on=day)
            b = cached.may("controller", "purchase", amount=amount, category="software", on=day)
            assert (a.allowed, a.reason, a.obligations, a.escalate_to) == \
                (b.allowed, b.reason, b.obligations, b.escalate_to)


def test_the_environment_variable_gets_the_same_checks(tmp_path: Path, monkeypatch):
    cache = _cache_module()
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv("DECISIONRIGHTS_CACHE_DIR", str(folder))
    with pytest.warns(cache.CacheWarning, match="writable by others"):
        _small_is_right(dr.loads(SMALL, "org.charter"))
    assert list(folder.iterdir()) == []


# -- 9. Markdown: every charter-derived string is shown as written, never read as markup -----------

from decisionrights.analysis.diff import render_markdown

HOSTILE = ['"@org/admins"', '"![pixel](https://evil.example/p.png)"', '"<img src=x onerror=alert(1)>"',
           '"a|b"', '"back`tick``s"', '"line\\nbreak"', '"a\\\\|b"', '"**bold** _it_ [link](https://x.example)"',
           '"&#64;org/team &lt;b&gt;"', '"rlo\\u202eevil"', '"`"', '" | "']
_ROLES = [f"r{i}" for i in range(len(HOSTILE))]
_HEAD = "".join(f"role {r}\n" for r in _ROLES) + "decision pay {\n  vendor: text\n}\n"
HOSTILE_OLD = charter_text(_HEAD)
HOSTILE_NEW = charter_text(_HEAD + "".join(f"{r} may decide pay when vendor == {lit}\n"
                                           for r, lit in zip(_ROLES, HOSTILE)))
HOSTILE_PATHS = ("old|`@org/admins`\n![x](https://evil.example/x.png).charter", "<img src=y>.charter")


def _hostile_markdown(*, narrowed: bool = False) -> tuple[str, int]:
    old, new = dr.loads(HOSTILE_OLD, HOSTILE_PATHS[0]), dr.loads(HOSTILE_NEW, HOSTILE_PATHS[1])
    changes = dr.diff(new, old, on=ON) if narrowed else dr.diff(old, new, on=ON)
    return render_markdown(changes), len(changes)


def _outside_code(line: str) -> str:
    """The line with its code spans taken out, as CommonMark reads them (a run of n backticks to the next run of n)."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            out.append(line[i:i + 2])
            i += 2
            continue
        if line[i] == "`":
            run = len(line[i:]) - len(line[i:].lstrip("`"))
            closing = re.compile(rf"(?<!`){'`' * run}(?!`)")
            end = closing.search(line, i + run)
            if end is None:
                out.append(line[i:i + run])
                i += run
            else:
                out.append("CODE")
                i = end.end()
            continue
        out.append(line[i])
        i += 1
    return "".join(out)


def _cells(row: str) -> list[str]:
    """A table row's cells as GitHub splits them: at every `|` without a backslash right before it."""
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


@pytest.mark.parametrize("narrowed", [False, True], ids=["widened", "narrowed"])
def test_hostile_literals_stay_inside_code_spans(narrowed: bool):
    rendered, count = _hostile_markdown(narrowed=narrowed)
    lines = rendered.splitlines()
    rows = [line for line in lines if line.startswith("|")]
    assert len(rows) == 2 + count == 2 + len(HOSTILE), rendered  # no line break inside a cell ended a row
    assert all(line == "" or line.startswith(("|", "###", "Comparing ")) for line in lines), rendered
    for line in lines:
        bare = _outside_code(line)
        for markup in ("@", "![", "<", "](", "&#", "&lt;", "**", "_it_", "\u202e"):
            assert markup not in bare, (markup, line)
    for row in rows:
        assert len(_cells(row)) == 5, row
        assert "\u202e" not in row


def test_hostile_file_names_stay_inside_code_spans():
    rendered, _ = _hostile_markdown()
    (comparing,) = [line for line in rendered.splitlines() if line.startswith("Comparing ")]
    assert "CODE → CODE" in _outside_code(comparing), comparing
    none = render_markdown(dr.diff(dr.loads(HOSTILE_OLD, HOSTILE_PATHS[0]), dr.loads(HOSTILE_OLD, HOSTILE_PATHS[1]),
                                   on=ON))
    assert none.count("\n") == 3, none  # the paths' line break did not make a line
    assert "@" not in _outside_code(none) and "<" not in _outside_code(none), none


def test_github_renders_hostile_literals_as_text():
    """With GitHub's own Markdown renderer (cmark-gfm), when it is installed: no image, link, HTML or mention
    comes out, the table keeps its five columns, and each literal is shown exactly, in code."""
    cmarkgfm = pytest.importorskip("cmarkgfm")
    import html

    rendered, count = _hostile_markdown()
    page = cmarkgfm.github_flavored_markdown_to_html(rendered)
    assert "<img" not in page and "<a " not in page and "<strong" not in page and "<em" not in page, page
    assert page.count("<tr>") == 1 + count
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.DOTALL):
        assert len(re.findall(r"<t[dh]>", row)) == 5, row
    outside = re.sub(r"<code>.*?</code>", "", page, flags=re.DOTALL)
    assert "@" not in outside and "\u202e" not in page
    shown = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", page, re.DOTALL)]
    for lit in HOSTILE:
        value = lit[1:-1].encode().decode("unicode_escape")  # the literal's value
        if "\u202e" in value:
            continue
        assert any(f'vendor = "{value}"'.replace("\n", " ") in c for c in shown), (value, shown)


def test_code_spans_show_any_text_exactly():
    """`markdown.code` of any text, in a table cell and in prose, renders (cmark-gfm) to exactly that text."""
    cmarkgfm = pytest.importorskip("cmarkgfm")
    import html

    from hypothesis import given, settings, strategies as st

    from decisionrights import markdown

    alphabet = st.sampled_from(list("ab |`\\*_[]()!<>&@#:~$ \n\r\t") + ["\u202e", "\u200b", "é"])

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet, max_size=12))
    def check(text: str):
        expected = markdown._visible(text) or " "  # an empty code span is one space
        cell = cmarkgfm.github_flavored_markdown_to_html(
            f"| a | b |\n| --- | --- |\n| {markdown.code(text)} | z |\n")
        (shown,) = re.findall(r"<td><code>(.*?)</code></td>", cell, re.DOTALL)
        assert html.unescape(shown) == expected
        prose = cmarkgfm.github_flavored_markdown_to_html(f"see {markdown.code(text, table=False)} here")
        (shown,) = re.findall(r"<code>(.*?)</code>", prose, re.DOTALL)
        assert html.unescape(shown) == expected
        words = cmarkgfm.github_flavored_markdown_to_html(f"| a |\n| --- |\n| x {markdown.text(text)} y |\n")
        assert "<code" not in words and "<em" not in words and "<a " not in words and "<img" not in words
        assert words.count("<td>") == 1

    check()


@needs_git
@pytest.mark.skipif(shutil.which("bash") is None or sys.platform == "win32", reason="needs bash")
def test_the_documented_workflow_quotes_hostile_file_names(tmp_path: Path):
    """docs/ci.md's diff step names new charters itself: a file name of the pull request stays in its code span."""
    from test_diff_git import CI_DOC, _yaml_blocks

    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    _git(work, "config", "user.name", "Charter Tester")
    _git(work, "config", "user.email", "charters@example.com")
    (work / "org.charter").write_text(BASE, encoding="utf-8")
    _git(work, "add", "org.charter")
    _git(work, "commit", "-q", "-m", "base")
    _git(work, "update-ref", "refs/remotes/origin/main", "HEAD")
    hostile = "x` @org-admins ![p](evil.png) <img src=x> `y.charter"
    (work / hostile).write_text(BASE, encoding="utf-8")
    (work / "org.charter").write_text(BASE.replace("role cfo\n", ""), encoding="utf-8")  # one that has errors
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "a new charter")
    (work / "changed.txt").write_text("org.charter\n", encoding="utf-8")
    (work / "added.txt").write_text(hostile + "\n", encoding="utf-8")

    shims = tmp_path / "bin"
    shims.mkdir()
    shim = shims / "decisionrights"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m decisionrights "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = _git_env(work)
    env.update(PATH=f"{shims}{os.pathsep}{os.environ['PATH']}", BASE_REF="main",
               GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"))
    steps = {s["name"]: s["run"] for s in _yaml_blocks(CI_DOC)[0]["jobs"]["charters"]["steps"] if "run" in s}
    done = subprocess.run(["bash", "-e", "-c", steps["Diff against the base branch"]], cwd=work, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    comment = (work / "diff.md").read_text(encoding="utf-8")
    assert "Could not compare `org.charter`" in comment
    (line,) = [line for line in comment.splitlines() if "is a new charter" in line]
    bare = _outside_code(line)
    assert "@" not in bare and "![" not in bare and "<" not in bare, line


def test_many_threads_share_a_new_cache(tmp_path: Path):
    """The first use from many threads at once: one key, one entry, no temporary file left, every answer right."""
    import threading

    cache = _cache_module()
    folder = tmp_path / "cache"
    results: list[object] = []
    barrier = threading.Barrier(8)

    def work():
        barrier.wait()
        try:
            for _ in range(3):
                _small_is_right(_load_quietly(SMALL, folder))
            results.append("ok")
        except Exception as exc:  # noqa: BLE001
            results.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert results == ["ok"] * 8
    assert sorted(p.name for p in folder.iterdir()) == sorted([cache.KEY_FILE, cache.entry_name(SMALL, "org.charter",
                                                                                               dr.Limits())])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # what the threads left is a good entry under the one key
        _small_is_right(dr.loads(SMALL, "org.charter", cache=folder))


def test_the_command_line_says_a_cache_warning_in_one_plain_line(tmp_path) -> None:
    import subprocess
    import sys

    blocker = tmp_path / "file"
    blocker.write_text("")
    env = {**os.environ, "DECISIONRIGHTS_CACHE_DIR": str(blocker / "cache")}
    r = subprocess.run([sys.executable, "-m", "decisionrights", "ask", str(EXAMPLES / "acme-finance.charter"),
                        "cfo", "purchase", "amount=1k", "category=software", "--on", "2026-11-28"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stderr.startswith("decisionrights: warning: the compiled-charter cache"), r.stderr
    assert "Warning:" not in r.stderr and ".py:" not in r.stderr
