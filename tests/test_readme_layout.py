"""The README's "How the code is laid out" block matches the tree git tracks.

The block's grammar: a line that starts at the left margin with ``name/`` opens that folder's
section, and the path-like words on it and on its indented lines (``views.py``, ``formats/``,
``management/commands/seed_demo.py``) are relative to that folder; any other line at the margin
names top-level entries. ``{a,b}`` expands as in a shell. Words that are not paths are prose.
"""

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATH_SUFFIX = re.compile(r"\.(py|toml|yml|md|html|txt|css|js|svg|lua)$")
# Inside an app package: everything is named, except these.
NOT_NAMED = {"__init__.py", "migrations/"}


def tracked_files():
    try:
        listing = subprocess.run(
            ["git", "ls-files"],  # noqa: S607 - the developer's git, on this checkout
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("needs a git checkout", allow_module_level=True)
    return set(listing.splitlines())


TRACKED = tracked_files()


def layout_block(readme):
    """Return the lines of the first fenced block after the layout heading."""
    section = readme.split("## How the code is laid out", 1)[1]
    return section.split("```", 2)[1].strip("\n").splitlines()


def expand(word):
    """Expand the first {a,b} group of *word*, then the rest, as a shell does."""
    group = re.search(r"\{([^{}]*)\}", word)
    if not group:
        return [word]
    head, tail = word[: group.start()], word[group.end() :]
    return [path for part in group.group(1).split(",") for path in expand(head + part + tail)]


def named_paths(lines):
    """Return every path the block names, relative to the repository's root."""
    paths, folder = set(), ""
    for line in lines:
        words = [word.lstrip("(").rstrip(",.;:)") for word in line.split()]
        if not line[:1].isspace():
            folder = words[0] if words[0].endswith("/") else ""
            if not folder:  # a line of top-level entries: every word is one
                paths.update(words)
                continue
            paths.add(folder)
            words = words[1:]
        for word in words:
            if "/" in word or PATH_SUFFIX.search(word):
                paths.update(folder + path for path in expand(word))
    return paths


def exists(path, tracked):
    if path.endswith("/"):
        return any(name.startswith(path) for name in tracked)
    return path in tracked


def is_named(path, named):
    if path.endswith("/"):
        return any(name.startswith(path) for name in named)
    return path in named


def app_packages(tracked):
    """Return the apps and the project package: top-level folders with apps.py or settings.py."""
    return sorted(
        {name.split("/")[0] for name in tracked if re.fullmatch(r"\w+/(apps|settings)\.py", name)}
    )


def children(package, tracked):
    """Return the modules and packages directly inside *package*, folders ending with "/"."""
    found = set()
    for name in tracked:
        if name.startswith(f"{package}/"):
            rest = name[len(package) + 1 :]
            found.add(rest.split("/")[0] + "/" if "/" in rest else rest)
    return found - NOT_NAMED


@pytest.fixture(scope="module")
def named():
    return named_paths(layout_block((ROOT / "README.md").read_text()))


def test_every_path_the_readme_names_exists(named):
    assert sorted(path for path in named if not exists(path, TRACKED)) == []


def test_every_top_level_entry_is_named(named):
    top_level = {name.split("/")[0] + ("/" if "/" in name else "") for name in TRACKED}
    assert sorted(entry for entry in top_level if not is_named(entry, named)) == []


def test_every_module_and_package_of_each_app_is_named(named):
    missing = [
        f"{package}/{child}"
        for package in app_packages(TRACKED)
        for child in sorted(children(package, TRACKED))
        if not is_named(f"{package}/{child}", named)
    ]
    assert missing == []


def test_the_block_is_read_as_the_readme_means_it():
    lines = [
        "manage.py  .ci/run",
        "app/             the app (prose): models.py, {views,forms}/{a,b}.py, EMAIL_URL,",
        "                 management/commands/x.py",
    ]
    assert named_paths(lines) == {
        "manage.py",
        ".ci/run",
        "app/",
        "app/models.py",
        "app/views/a.py",
        "app/views/b.py",
        "app/forms/a.py",
        "app/forms/b.py",
        "app/management/commands/x.py",
    }
