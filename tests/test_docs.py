"""Nothing undocumented: every dataset and every command-line option is in the README."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from loaders.__main__ import parser
from loaders.registry import DATASETS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _options(p: argparse.ArgumentParser) -> set[str]:
    found = set()
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
        found |= {o for o in action.option_strings if o.startswith("--") and o != "--help"}
    return found


def test_every_dataset_is_in_the_readme() -> None:
    missing = [d.id for d in DATASETS if f"| {d.id} |" not in README]
    assert not missing, f"add these datasets to README.md's table: {missing}"


def test_every_cli_option_is_in_the_readme() -> None:
    missing = sorted(o for o in _options(parser()) if f"`{o}" not in README)
    assert not missing, f"document these options in README.md: {missing}"


def test_every_file_the_readme_names_is_in_the_repository() -> None:
    """A newcomer's clone has every file the README points to (data/ files written later excepted)."""
    root = Path(__file__).resolve().parent.parent
    written_later = ("data/raw", "data/changes.json", "data/.lock", "data/.swap.json", "test-artifacts")
    not_a_file = {"dashboard/pages/"}  # named to say why the pages live in dashboard/views/ instead
    named = set(
        re.findall(
            r"`((?:\.github|\.streamlit|\.ci|loaders|dashboard|tests|benchmarks|data)/[^`\s]*)`", README
        )
    )
    missing = [
        p
        for p in sorted(named)
        if not any(ch in p for ch in "<>*{}")
        and not p.startswith(written_later)
        and p not in not_a_file
        and not (root / p.rstrip("/")).exists()
    ]
    assert not missing, f"README.md names files a clone does not have: {missing}"


def test_every_module_is_named_in_the_readme_layout() -> None:
    root = Path(__file__).resolve().parent.parent
    layout = README[README.index("## Layout") :]
    modules = sorted(
        str(p.relative_to(root))
        for folder in ("loaders", "dashboard")
        for p in (root / folder).rglob("*.py")
        if p.name != "__init__.py" or p.parent.name in ("formats", "sources")
    )
    missing = [m for m in modules if f"`{m}`" not in layout]
    assert not missing, f"name these modules in README.md's layout section: {missing}"
