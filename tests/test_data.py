"""The data layer: every table validates, and every kind of bad input fails with one clear error
naming file, row and column. Corruptions are made on a copy of data/ in a temporary folder."""

import csv
import shutil

import pandas as pd
import pytest

from llmecon.data import (
    DataValidationError,
    data_dictionary,
    load_table,
    open_package,
    report_root,
    table_names,
    validate_tables,
    validate_unstamped,
)

DATA = report_root() / "data"
FACT_COLUMNS = ("source_url", "as_of", "confidence")


def test_every_table_validates():
    problems = validate_tables()
    assert sorted(problems) == sorted(table_names())
    assert {name: found for name, found in problems.items() if found} == {}


def test_every_factual_table_requires_source_date_and_confidence():
    for resource in open_package().resources:
        if resource.name == "claims":  # sourced by seed_file: the claims are the articles' own words
            assert resource.schema.get_field("seed_file").constraints["required"]
            continue
        for column in FACT_COLUMNS:
            field = resource.schema.get_field(column)
            assert field.constraints.get("required"), f"{resource.name}.{column} must be required"
        assert resource.schema.get_field("source_url").constraints["pattern"] == "https?://.+"


def test_every_csv_in_data_is_described():
    described = {r.path for r in open_package().resources}
    assert {p.name for p in DATA.glob("*.csv")} == described


@pytest.mark.parametrize("name", table_names())
def test_load_keeps_every_row_and_value(name):
    """Nothing dropped: one row per CSV record, and every cell reads back to its text."""
    frame = load_table(name)
    with (DATA / open_package().get_resource(name).path).open(newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    assert len(frame) == len(records)
    for column in frame.columns:
        for value, text in zip(frame[column], (r[column] for r in records)):
            if text == "":
                assert pd.isna(value)
            elif isinstance(value, pd.Timestamp):
                assert value.strftime("%Y-%m-%d") == text
            elif isinstance(value, float):
                assert value == float(text)
            elif isinstance(value, (bool,)) or str(frame[column].dtype) == "boolean":
                assert bool(value) == (text == "true")
            else:
                assert str(value) == text


def test_data_dictionary_lists_every_column():
    dictionary = data_dictionary()
    for resource in open_package().resources:
        assert list(dictionary[resource.name]["column"]) == resource.schema.field_names
    assert (dictionary["prices"].set_index("column").loc["input_usd_per_mtok", "unit"]) == "USD per million input tokens"


# --- corrupted copies -------------------------------------------------------------------------


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def rewrite(path, edit):
    """Apply ``edit(rows)`` to the CSV at ``path`` (rows include the header) and write it back."""
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    edit(rows)
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def set_cell(rows, row, column, value):
    rows[row - 1][rows[0].index(column)] = value


def single_problem(table, data_copy):
    with pytest.raises(DataValidationError) as caught:
        load_table(table, data_copy)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert str(problems[0]) in str(caught.value)
    return problems[0]


CELL_CASES = [
    # (table, column, bad value, words the message must contain)
    ("prices", "input_usd_per_mtok", "-0.15", "minimum"),
    ("prices", "output_usd_per_mtok", "cheap", "type"),
    ("prices", "output_usd_per_mtok", "$0.60", "type"),
    ("prices", "effective_from", "2024-07-32", "type"),
    ("prices", "effective_from", "18/07/2024", "type"),
    ("prices", "source_url", "", "required"),
    ("prices", "source_url", "openai.com/pricing", "pattern"),
    ("prices", "confidence", "very high", "enum"),
    ("models", "tier", "tiny", "enum"),
    ("models", "open_weights", "yes", "type"),
    ("models", "params_b", "8B", "type"),
]


@pytest.mark.parametrize("table, column, value, words", CELL_CASES)
def test_bad_cell_names_file_row_and_column(data_copy, table, column, value, words):
    rewrite(data_copy / f"{table}.csv", lambda rows: set_cell(rows, 3, column, value))
    problem = single_problem(table, data_copy)
    assert (problem.file, problem.row, problem.column) == (str(data_copy / f"{table}.csv"), 3, column)
    assert words in problem.message


def test_tables_validated_ahead_are_stamped_and_a_bad_one_still_fails_where_it_is_loaded(data_copy):
    rewrite(data_copy / "gpus.csv", lambda rows: set_cell(rows, 2, "memory_gb", "lots"))
    validate_unstamped(data_copy)  # what `make book` and the suite do first: no error here
    stamps = {p.name.rsplit("-", 1)[0] for p in (data_copy.parent / ".cache" / "validated").iterdir()}
    assert stamps == set(table_names(data_copy)) - {"gpus"}
    assert single_problem("gpus", data_copy).column == "memory_gb"


def test_not_a_finite_number(data_copy):
    rewrite(data_copy / "prices.csv", lambda rows: set_cell(rows, 4, "input_usd_per_mtok", "NaN"))
    problem = single_problem("prices", data_copy)
    assert (problem.row, problem.column) == (4, "input_usd_per_mtok")


def test_missing_column(data_copy):
    def drop_output_price(rows):
        k = rows[0].index("output_usd_per_mtok")
        for r in rows:
            del r[k]

    rewrite(data_copy / "prices.csv", drop_output_price)
    problem = single_problem("prices", data_copy)
    assert (problem.row, problem.column, problem.message) == (1, "output_usd_per_mtok", "missing column")


def test_unexpected_column(data_copy):
    rewrite(data_copy / "prices.csv", lambda rows: [r.append("x") for r in rows])
    problem = single_problem("prices", data_copy)
    assert (problem.row, problem.column) == (1, "x")


def test_duplicate_key(data_copy):
    rewrite(data_copy / "models.csv", lambda rows: rows.append(list(rows[2])))
    problem = single_problem("models", data_copy)
    assert problem.column == "model_id"
    assert "duplicate key" in problem.message
    assert problem.row == len(open(data_copy / "models.csv").read().splitlines())


def test_unknown_model_is_a_foreign_key_error(data_copy):
    rewrite(data_copy / "prices.csv", lambda rows: set_cell(rows, 2, "model_id", "gpt-7-micro"))
    problem = single_problem("prices", data_copy)
    assert (problem.row, problem.column) == (2, "model_id")
    assert "gpt-7-micro" in problem.message


def test_missing_file(data_copy):
    (data_copy / "prices.csv").unlink()
    problem = single_problem("prices", data_copy)
    assert problem.message == "file is missing"


def test_unknown_table():
    with pytest.raises(KeyError, match="no table named 'nope'"):
        load_table("nope")
