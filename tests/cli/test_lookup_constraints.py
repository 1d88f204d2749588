"""Lookup rows are held to their columns' constraints when the project is validated, at the row's cell."""

from __future__ import annotations

DEFS = """\
lookups:
  vat_rates:
    key: country
    fields: {country: {type: string, pattern: "^[A-Z]{2}$"}, rate: {type: int, min: 0, max: 30, required: true}}
    rows: [{country: RU, rate: 20}, {country: kz, rate: 120}, {country: BY}]
"""


def _project(tmp_path, defs: str = DEFS):
    root = tmp_path / "p"
    root.mkdir(exist_ok=True)
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: p\ntimezone: UTC\n")
    (root / "defs.yaml").write_text(defs)
    return root


def test_a_lookup_row_breaking_a_constraint_is_an_error_at_its_cell(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    result = cli("validate", "p")
    assert result.exit_code == 1
    assert result.stdout == (
        "p/defs.yaml:5:47: error E-LOOKUP-VALUE at lookups.vat_rates.rows[1].country: lookup 'vat_rates', column "
        "'country' must match the pattern '^[A-Z]{2}$' (got 'kz') (change the row's value, or the column's "
        "constraint)\n"
        "  5 |     rows: [{country: RU, rate: 20}, {country: kz, rate: 120}, {country: BY}]\n"
        "    |                                               ^\n"
        "p/defs.yaml:5:57: error E-LOOKUP-VALUE at lookups.vat_rates.rows[1].rate: lookup 'vat_rates', column "
        "'rate' must be at most 30 (got 120) (change the row's value, or the column's constraint)\n"
        "  5 |     rows: [{country: RU, rate: 20}, {country: kz, rate: 120}, {country: BY}]\n"
        "    |                                                         ^\n"
        "p/defs.yaml:5:63: error E-LOOKUP-VALUE at lookups.vat_rates.rows[2]: lookup 'vat_rates', row 2: column "
        "'rate' is required and has no value (give the row a rate, or drop 'required' from the column)\n"
        "  5 |     rows: [{country: RU, rate: 20}, {country: kz, rate: 120}, {country: BY}]\n"
        "    |                                                               ^\n")


def test_rows_within_the_constraints_validate(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _project(tmp_path, DEFS.replace("kz, rate: 120", "KZ, rate: 12").replace("{country: BY}", "{country: BY, rate: 0}"))
    result = cli("validate", "p")
    assert (result.exit_code, result.stdout) == (0, "p: ok (0 error(s), 0 warning(s))\n")
