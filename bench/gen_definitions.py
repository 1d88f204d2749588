"""Generate one project of about 200 definition files for the validation benchmark.

The files are copies of the shipped projects' definition files, each copy with
every definition name (processes, event types, rules, period tables, roles,
people, lookups, templates, boards, reports) renamed by a suffix, so the
copies live side by side in one project and all cross-references still hold.
The copies are whole projects (a copy of a file needs its siblings); the last
few files are copies of self-contained ``people.yaml`` files (roles and people).
"""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

import yaml
from common import REPO

SOURCES = ["prosthesis_followup", "complaints", "medical_orders", "service_requests", "bpm_patterns"]
SECTIONS = ("processes", "event_types", "rules", "period_tables", "roles", "people", "lookups", "templates", "boards",
            "reports")
VERSION = 2


SKIPPED = {"tests", "documents"}
"""Folders the project loader skips (scenario specs, generated documents)."""


def definition_files(project: Path) -> list[Path]:
    """A project's definition files (everything the loader reads but ruledeck.yaml), in a stable order."""
    return sorted(p for p in project.rglob("*.yaml") if p.name != "ruledeck.yaml"
                  and not SKIPPED.intersection(p.relative_to(project).parts[:-1])
                  and not any(part.startswith(".") for part in p.relative_to(project).parts))


def defined_names(files: list[Path]) -> set[str]:
    """Every name defined in the sections of ``files``."""
    names: set[str] = set()
    for path in files:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for section in SECTIONS:
            names.update((data.get(section) or {}).keys())
    return names


def renamer(names: set[str], suffix: str):
    """A function renaming every whole-word occurrence of ``names`` by appending ``suffix``."""
    pattern = re.compile(r"(?<![\w-])(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True))
                         + r")(?![\w-])")
    return lambda text: pattern.sub(lambda m: m.group(1) + suffix, text)


def _copy_files(files: list[Path], base: Path, target: Path, suffix: str, names: set[str]) -> int:
    rename = renamer(names, suffix)
    for path in files:
        out = target / path.relative_to(base)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(rename(path.read_text(encoding="utf-8")), encoding="utf-8")
    return len(files)


def generate(root: Path, total: int = 200) -> Path:
    """Write a project of ``total`` files (ruledeck.yaml included) at ``root``."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shipped = REPO / "definitions"
    (root / "ruledeck.yaml").write_text(
        "ruledeck: 1\nname: bench-validate\ntimezone: Europe/Moscow\ncascade_depth: 12\n", encoding="utf-8")
    written, copy = 1, 0
    projects = [(shipped / name, definition_files(shipped / name)) for name in SOURCES]
    names = {project: defined_names(files) for project, files in projects}
    while True:
        project, files = projects[copy % len(projects)]
        if written + len(files) > total:
            break
        copy += 1
        suffix = f"_c{copy}"
        written += _copy_files(files, project, root / f"{project.name}{suffix}", suffix, names[project])
    filler = 0
    while written < total:
        project, files = projects[filler % len(projects)]
        filler += 1
        people = [p for p in files if p.name == "people.yaml"]
        suffix = f"_p{filler}"
        written += _copy_files(people, project, root / f"people{suffix}", suffix, defined_names(people))
    (root / ".bench-version").write_text(f"{VERSION} {total}", encoding="utf-8")
    return root


def count_files(root: Path) -> int:
    """YAML files in the generated project."""
    return sum(1 for _ in root.rglob("*.yaml"))


def cached(folder: Path, total: int) -> Path:
    """The generated project for ``total`` files in ``folder``, generating it unless current."""
    root = folder / f"definitions-{total}"
    stamp = root / ".bench-version"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == f"{VERSION} {total}":
        return root
    return generate(root, total)


def main() -> None:
    """``python bench/gen_definitions.py --files 200 --out /tmp/bench-defs``"""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    print(f"{count_files(generate(args.out, args.files))} files in {args.out}")


if __name__ == "__main__":
    main()
