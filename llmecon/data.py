"""Loading and validating the report's tables.

Every table in ``data/`` is described in ``data/datapackage.yaml`` (a Frictionless Data Package).
:func:`load_table` validates a table against that schema, including primary and foreign keys,
and only then returns it as a typed DataFrame. Any problem raises :class:`DataValidationError`
naming the file, the row and the column; nothing is dropped or coerced.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from importlib.metadata import version

PACKAGE_FILE = "datapackage.yaml"
# When set (by llmecon.run), the file to which load_table appends the name of each table it reads.
READS_ENV = "LLMECON_READS"


def report_root() -> Path:
    """The report's top folder: the nearest folder at or above the working directory holding
    ``data/datapackage.yaml`` (so a copy of the report reads its own data), else this package's parent."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / PACKAGE_FILE).exists():
            return folder
    return Path(__file__).resolve().parent.parent


def _data_dir(data_dir: Path | str | None) -> Path:
    return Path(data_dir) if data_dir is not None else report_root() / "data"

# pandas dtype for each Table Schema type (nullable where a blank is allowed).
_DTYPES = {
    "string": "string",
    "number": "Float64",
    "integer": "Int64",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is (file, row counting the header as row 1, column) and what."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        row = f"row {self.row}" if self.row is not None else "whole file"
        column = f"column '{self.column}'" if self.column else "no single column"
        return f"{self.file}, {row}, {column}: {self.message}"


class DataValidationError(ValueError):
    """A table in data/ does not match its schema. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the data:\n{lines}")


def _display_path(path: Path) -> str:
    """``path`` relative to the repository when it lies inside it, else absolute."""
    path, root = path.resolve(), report_root()
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def open_package(data_dir: Path | str | None = None) -> "frictionless.Package":
    """The data package described by ``data_dir/datapackage.yaml`` (frictionless is imported here, when
    validation needs it: importing it costs a second, which loading an already validated table need not pay)."""
    from frictionless import Package

    descriptor = _data_dir(data_dir) / PACKAGE_FILE
    if not descriptor.exists():
        raise FileNotFoundError(f"{descriptor}: no data package descriptor")
    return Package(str(descriptor))


def table_names(data_dir: Path | str | None = None) -> list[str]:
    """Names of all tables in the package, in the order the descriptor lists them."""
    return table_info(data_dir)["name"].tolist()


def validate_tables(names: list[str] | None = None, data_dir: Path | str | None = None) -> dict[str, list[Problem]]:
    """Every problem in each table of ``names`` (all tables by default), opening the package once: header, types,
    constraints, primary and foreign keys. A table found valid is stamped (see :func:`_validated_stamp`)."""
    data_dir = _data_dir(data_dir)
    package = open_package(data_dir)
    for name in names or []:
        if name not in package.resource_names:
            raise KeyError(f"no table named {name!r} in {data_dir / PACKAGE_FILE}")
    return {name: _problems(package.get_resource(name), name, data_dir)
            for name in (package.resource_names if names is None else names)}


def validate_table(name: str, data_dir: Path | str | None = None) -> list[Problem]:
    """Every problem in table ``name``: header, types, constraints, primary and foreign keys."""
    return validate_tables([name], data_dir)[name]


def validate_unstamped(data_dir: Path | str | None = None) -> None:
    """Validate, in one pass, every table not yet stamped valid for today's bytes, so that notebooks started next
    find the stamps instead of each validating the same tables again. Problems are not raised here: the notebook
    that loads a bad table raises them, naming file, row and column."""
    data_dir = _data_dir(data_dir)
    missing = [name for name in table_names(data_dir) if not _validated_stamp(data_dir, name).exists()]
    if missing:
        validate_tables(missing, data_dir)


def _problems(resource, name: str, data_dir: Path) -> list[Problem]:
    """Every problem in table ``name``, opened as ``resource`` of the package (see :func:`validate_tables`)."""
    file = _display_path(data_dir / resource.path)
    if not (data_dir / resource.path).exists():
        return [Problem(file, None, None, "file is missing")]
    header_problems = _header_problems(file, data_dir / resource.path, resource.schema.field_names)
    if header_problems:
        return header_problems
    report = resource.validate()
    if report.valid:
        _validated_stamp(data_dir, name).touch()
    problems = []
    key_columns = ", ".join(resource.schema.primary_key)
    for task in report.tasks:
        for error in task.errors:
            row = getattr(error, "row_number", None)
            column = getattr(error, "field_name", None)
            message = error.message
            if error.type == "primary-key":
                column = key_columns
                message = f"duplicate key ({key_columns}): {error.note}"
            elif error.type == "foreign-key":
                column = ", ".join(getattr(error, "field_names", []) or []) or column
            problems.append(Problem(file, row, column, message))
    return problems


# Table Schema's default spellings of booleans (https://specs.frictionlessdata.io/table-schema/#boolean).
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]


@functools.lru_cache(maxsize=8)
def _parsed_descriptor(path: Path, mtime_ns: int) -> dict:
    """datapackage.yaml parsed once per process and version of the file (libyaml's parser where available)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def _resource_descriptor(data_dir: Path, name: str) -> dict:
    """The descriptor of table ``name`` as written in datapackage.yaml (read directly: parsing the whole
    package with frictionless costs a third of a second, and validation has already used it)."""
    descriptor = _descriptor(data_dir)
    for resource in descriptor["resources"]:
        if resource["name"] == name:
            return resource
    raise KeyError(f"no table named {name!r} in {data_dir / PACKAGE_FILE}")


def _validated_stamp(data_dir: Path, name: str) -> Path:
    """A file whose existence records that table ``name`` passed validation with exactly today's bytes.

    Its name is a hash of the descriptor, every CSV in ``data_dir`` (foreign keys reach across tables) and the
    validator's version, so any change to any of them means a new, absent stamp and a full validation again.
    """
    digest = hashlib.sha256(version("frictionless").encode())
    for path in sorted([data_dir / PACKAGE_FILE, *data_dir.glob("*.csv")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    folder = data_dir.parent / ".cache" / "validated"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}-{digest.hexdigest()[:32]}"


def _header_problems(file: str, path: Path, expected: list[str]) -> list[Problem]:
    """Missing, unexpected or reordered columns in the header row (row 1) of a CSV."""
    with path.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    problems = [Problem(file, 1, c, "missing column") for c in expected if c not in header]
    problems += [Problem(file, 1, c, "column not in the schema") for c in header if c not in expected]
    if not problems and header != expected:
        problems.append(Problem(file, 1, None, f"columns out of order; the schema's order is {', '.join(expected)}"))
    return problems


def load_table(name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Validate table ``name`` and return it as a DataFrame typed by its schema.

    Numbers become ``Float64``, integers ``Int64``, booleans ``boolean``, dates ``datetime64``,
    strings ``string``; a blank cell becomes ``<NA>``. Raises :class:`DataValidationError`
    naming file, row and column for any problem.
    """
    data_dir = _data_dir(data_dir)
    if os.environ.get(READS_ENV):
        with open(os.environ[READS_ENV], "a", encoding="utf-8") as reads:
            reads.write(name + "\n")
    if not _validated_stamp(data_dir, name).exists():
        problems = validate_table(name, data_dir)
        if problems:
            raise DataValidationError(problems)
    resource = _resource_descriptor(data_dir, name)
    path = data_dir / resource["path"]
    file = _display_path(path)
    text = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    frame = pd.DataFrame(index=text.index)
    not_finite = []
    for field in resource["schema"]["fields"]:
        name_, kind = field["name"], field.get("type", "string")
        column = text[name_]
        blank = column == ""
        if kind == "date":
            frame[name_] = pd.to_datetime(column.where(~blank), format="%Y-%m-%d")
        elif kind in ("number", "integer"):
            numbers = pd.to_numeric(column.where(~blank)).astype("Float64" if kind == "number" else "Int64")
            # Table Schema numbers admit NaN and INF; the report's tables never do.
            values = numbers.to_numpy(dtype=float, na_value=0.0)
            not_finite += [Problem(file, int(i) + 2, name_, f"not a finite number: {column[i]}")
                           for i in np.flatnonzero(~np.isfinite(values) & ~blank.to_numpy())]
            frame[name_] = numbers
        elif kind == "boolean":
            truth = {**{v: True for v in field.get("trueValues", TRUE_VALUES)},
                     **{v: False for v in field.get("falseValues", FALSE_VALUES)}}
            frame[name_] = column.where(~blank).map(truth).astype("boolean")
        else:
            frame[name_] = column.where(~blank).astype(_DTYPES[kind])
    if not_finite:
        raise DataValidationError(not_finite)
    frame.attrs["source_file"] = file
    return frame


def _descriptor(data_dir: Path) -> dict:
    path = data_dir / PACKAGE_FILE
    if not path.exists():
        raise FileNotFoundError(f"{path}: no data package descriptor")
    return _parsed_descriptor(path, path.stat().st_mtime_ns)


def table_info(data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per table, in the descriptor's order: name, file path (relative to data/), title, description."""
    resources = _descriptor(_data_dir(data_dir))["resources"]
    return pd.DataFrame([{key: r.get(key, "") for key in ("name", "path", "title", "description")} for r in resources])


def data_dictionary(data_dir: Path | str | None = None) -> dict[str, pd.DataFrame]:
    """For each table, one row per column: type, unit, whether required, allowed values, description."""
    tables = {}
    for resource in _descriptor(_data_dir(data_dir))["resources"]:
        rows = []
        for f in resource["schema"]["fields"]:
            c = f.get("constraints", {})
            allowed = ", ".join(str(v) for v in c.get("enum", []))
            if "minimum" in c or "maximum" in c:
                allowed = f"{c.get('minimum', '')} to {c.get('maximum', '')}".strip()
            rows.append(
                {
                    "column": f["name"],
                    "type": f.get("type", "string"),
                    "unit": f.get("unit", ""),
                    "required": "yes" if c.get("required") else "",
                    "allowed values": allowed,
                    "description": f.get("description", ""),
                }
            )
        tables[resource["name"]] = pd.DataFrame(rows)
    return tables


def table_summary(data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per table: file, rows, distinct sources and rows by confidence (after validation)."""
    rows = []
    data_dir = _data_dir(data_dir)
    for table in table_info(data_dir).itertuples():
        frame = load_table(table.name, data_dir)
        summary = {"table": table.name, "file": _display_path(data_dir / table.path), "rows": len(frame)}
        summary["distinct sources"] = frame["source_url"].nunique() if "source_url" in frame else 0
        for level in ("high", "medium", "low", "unverified"):
            summary[level] = int((frame["confidence"] == level).sum()) if "confidence" in frame else 0
        rows.append(summary)
    return pd.DataFrame(rows)
