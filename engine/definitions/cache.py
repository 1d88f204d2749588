"""The validated model of a project, kept between commands while none of its inputs change.

Validation reads every definition file, ``ruledeck.yaml`` and the template
files, and its outcome depends on nothing else but ruledeck's own code and
JSON Schemas. So the outcome of a *valid* project (its model and its
warnings) is kept in ``.ruledeck-cache/`` beside ``ruledeck.yaml`` (or, when
that folder cannot be written, in the user's cache folder), keyed by:

- the content hash of every file the loader reads (found again each time, so
  a new or deleted file counts as a change) and of every template file;
- ruledeck's code (name, size and modification time of each engine module:
  a new version or an edited module changes it) and the JSON Schemas' hash;
- the Python version, the working folder and the project path as given (the
  model's file names are shown relative to the working folder).

Any difference, or a cache file that cannot be read, means a full
validation, exactly as strict as without the cache, and a new cache file.
Projects with errors are never cached. ``RULEDECK_NO_CACHE=1`` turns the
cache off. This module imports nothing heavy: a hit costs hashing the files
and unpickling the model, not loading the validator (jsonschema, sqlglot,
DuckDB).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DefinitionError, Finding, Severity
from .project_files import PROJECT_FILE, definition_files, find_projects

if TYPE_CHECKING:
    from .model import Project

__all__ = ["CACHE_FOLDER", "NO_CACHE_VARIABLE", "ValidatedProject", "cached_project", "cached_validation",
           "validate_paths_cached"]

CACHE_FOLDER = ".ruledeck-cache"
"""The folder beside ``ruledeck.yaml`` holding the cache (hidden: the loader never reads it)."""
NO_CACHE_VARIABLE = "RULEDECK_NO_CACHE"
"""Set to ``1`` to validate every time and write no cache."""
_FORMAT = b"ruledeck-validated-1"
_ENGINE = Path(__file__).resolve().parents[1]
_SCHEMAS = _ENGINE.parent / "schemas"


@dataclass
class ValidatedProject:
    """The outcome of validating one project (the same shape as ``ProjectResult``), maybe from the cache."""

    root: Path
    findings: list[Finding] = field(default_factory=list)
    project: Project | None = None
    cached: bool = False
    """Whether it came from the cache rather than a validation."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]


def cached_project(root: Path) -> Project:
    """The model of a valid project, from the cache when nothing changed; raises :class:`DefinitionError`."""
    result = cached_validation(root)
    if result.project is None:
        raise DefinitionError(result.errors)
    return result.project


def validate_paths_cached(paths: list[Path]) -> list[ValidatedProject]:
    """:func:`~ruledeck.engine.validation.validate_paths`, each unchanged valid project from the cache."""
    roots: list[Path] = []
    for path in paths:
        roots += [r for r in find_projects(path) if r not in roots]
    return [cached_validation(root) for root in roots]


def cached_validation(root: Path) -> ValidatedProject:
    """Validate the project at ``root``, or take the outcome of the last validation when no input changed."""
    if os.environ.get(NO_CACHE_VARIABLE) == "1":
        return _validate(root)
    try:
        key = _key(root)
    except OSError:  # an unreadable file: validation reports it
        return _validate(root)
    found = _read(root, key)
    if found is not None:
        return found
    result = _validate(root)
    if result.project is not None:
        _write(root, key, result)
    return result


def _validate(root: Path) -> ValidatedProject:
    from ..validation import validate_project

    result = validate_project(root)
    return ValidatedProject(result.root, result.findings, result.project)


def _key(root: Path) -> bytes:
    """The hash of everything validation reads except template files (those are checked on a hit)."""
    digest = hashlib.blake2b(_FORMAT, digest_size=32)
    digest.update(_environment())
    digest.update(f"\0{os.getcwd()}\0{root}\0".encode())
    for path in (root / PROJECT_FILE, *definition_files(root)):
        digest.update(f"{path.relative_to(root).as_posix()}\0".encode())
        digest.update(_file_hash(path))
    return digest.digest()


@cache
def _environment() -> bytes:
    """Python's version, ruledeck's code stamp and the JSON Schemas' hash."""
    digest = hashlib.blake2b(sys.version.encode(), digest_size=32)
    for folder, subfolders, files in os.walk(_ENGINE):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(n for n in files if n.endswith(".py")):
            stat = os.stat(os.path.join(folder, name))
            digest.update(f"{folder}/{name}:{stat.st_size}:{stat.st_mtime_ns}\0".encode())
    for name, text in _schemas():
        digest.update(name.encode() + b"\0" + text + b"\0")
    return digest.digest()


def _schemas() -> list[tuple[str, bytes]]:
    """Each JSON Schema's file name and contents (read as files: they sit beside the engine, installed or not)."""
    if _SCHEMAS.is_dir():
        return [(path.name, path.read_bytes()) for path in sorted(_SCHEMAS.glob("*.json"))]
    import json

    from ..schema_files import load_schemas

    return [(name, json.dumps(schema, sort_keys=True).encode()) for name, schema in sorted(load_schemas().items())]


def _file_hash(path: Path) -> bytes:
    return hashlib.blake2b(path.read_bytes(), digest_size=32).digest()


def _template_files(project: Project) -> list[Path]:
    """Every template file the project's document templates name (read by validation and at run time)."""
    files = []
    for template in project.templates.values():
        if "file" in template.spec:
            source = template.loc.doc.source
            files.append((source.parent if source else project.root) / str(template.spec["file"]))
    return files


def _locations(root: Path, key_name: str) -> list[Path]:
    """Where the cache file may be: beside the project, then the user's cache folder."""
    user = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ruledeck"
    place = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
    return [root / CACHE_FOLDER / key_name, user / place / key_name]


def _file_name() -> str:
    view = hashlib.blake2b(f"{os.getcwd()}\0".encode(), digest_size=8).hexdigest()
    return f"validated-{view}.pickle"


def _read(root: Path, key: bytes) -> ValidatedProject | None:
    """The cached outcome if its key and template files still match; anything unreadable counts as none."""
    for path in _locations(root, _file_name()):
        try:
            with open(path, "rb") as stream:
                # Only our own file, written by _write below, is ever unpickled; a foreign or corrupt one
                # fails the format and key checks (or unpickling) and is ignored and then rewritten.
                stored_format, stored_key, templates, payload = pickle.load(stream)
            if stored_format != _FORMAT or stored_key != key:
                continue
            if any(not Path(name).is_file() or _file_hash(Path(name)) != digest for name, digest in templates):
                continue
            findings, project = pickle.loads(payload)
            return ValidatedProject(root, findings, project, cached=True)
        except Exception:  # noqa: BLE001 - a damaged cache is no error: validate again
            continue
    return None


def _write(root: Path, key: bytes, result: ValidatedProject) -> None:
    """Keep ``result`` for the next command; a folder that cannot be written is skipped silently."""
    project = result.project
    assert project is not None
    try:
        templates = [(str(path), _file_hash(path)) for path in _template_files(project)]
    except OSError:
        return
    compiled, project.compiled_sql = project.compiled_sql, {}  # SQL is compiled afresh by each run
    try:
        payload = pickle.dumps((result.findings, project), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - something in the model cannot be kept: run without a cache
        return
    finally:
        project.compiled_sql = compiled
    data = pickle.dumps((_FORMAT, key, templates, payload), protocol=pickle.HIGHEST_PROTOCOL)
    for path in _locations(root, _file_name()):
        if _write_file(path, data):
            return


def _write_file(path: Path, data: bytes) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if path.parent.name == CACHE_FOLDER and not ignore.exists():
            ignore.write_text("# written by ruledeck: the validated-project cache, never committed\n*\n",
                              encoding="utf-8")
        handle, partial = tempfile.mkstemp(dir=path.parent, prefix=".validated-", suffix=".partial")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    except OSError:
        return False
    return True
