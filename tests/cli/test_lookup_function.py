"""lookup(TABLE, KEY[, COLUMN]): a scalar subquery on a lookup table, type-checked with positioned findings."""

from __future__ import annotations

import json

from tests.conftest import write_project_files

PROJECT = {
    "ruledeck.yaml": """\
ruledeck: 1
name: lookups
timezone: Europe/Moscow
lookups:
  vat_rates:
    key: country
    fields: {country: {type: string}, rate: {type: int}, label: {type: string}}
    rows:
      - {country: RU, rate: 20, label: Russia}
      - {country: KZ, rate: 12, label: Kazakhstan}
  owners:
    key: service
    fields: {service: {type: string}, person: {type: person}}
    rows: [{service: printers, person: petrov}]
people:
  petrov: {name: Petrov}
processes:
  sale:
    key: number
    fields:
      number: {type: string}
      country: {type: string}
      service: {type: string}
      owner: {type: person}
      amount_net: {type: decimal}
      vat_rate: {type: int}
      gross: {type: decimal}
      summary: {type: string}
      label: {type: string, compute: "coalesce(lookup('vat_rates', country, 'label'), '?')"}
    pipelines: {main: {stages: {new: {}, taxed: {kind: success}}}}
event_types:
  sale_made:
    fields: {number: {type: string, required: true}, country: {type: string}, amount: {type: decimal}}
rules:
  make:
    when: {event: sale_made}
    then:
      - create: {process: sale, set: {number: event.number, country: event.country, amount_net: event.amount,
                                      service: "'printers'"}}
  tax:
    process: sale
    when: {created: true}
    if: "lookup('vat_rates', country, 'rate') is not null"
    then:
      - set:
          vat_rate: "lookup('vat_rates', upper(country), 'rate')"
          gross: "amount_net + round(amount_net * lookup('vat_rates', country, 'rate') / 100, 2)"
          summary: "concat(lookup('vat_rates', country, 'label'), ': ', amount_net)"
          owner: "lookup('owners', service)"
      - move: taxed
""",
    "events.jsonl": "".join(line + "\n" for line in [
        '{"id": "s1", "type": "sale_made", "time": "2026-12-03T10:00:00+03:00", '
        '"payload": {"number": "S-1", "country": "KZ", "amount": "100.50"}}',
        '{"id": "s2", "type": "sale_made", "time": "2026-12-03T10:00:00+03:00", '
        '"payload": {"number": "S-2", "country": "XX", "amount": "10"}}',
    ]),
}


def test_lookup_reads_the_row_of_the_key(cli, tmp_path):
    project = str(write_project_files(tmp_path / "p", PROJECT))
    db = str(tmp_path / "t.duckdb")
    assert cli("ingest", f"{project}/events.jsonl", "-p", project, "--db", db).exit_code == 0
    items = json.loads(cli("items", "sale", "-p", project, "--db", db, "--format", "json").output)
    assert [(i["stage"], i["vat_rate"], i["gross"], i["summary"], i["owner"], i["label"]) for i in items] == [
        ("taxed", 12, "112.56", "Kazakhstan: 100.50", "petrov", "Kazakhstan"),
        ("new", None, None, None, None, "?"),  # no row for XX: null, so the condition does not hold
    ]


def test_misused_lookups_are_positioned_findings(cli, tmp_path):
    text = (PROJECT["ruledeck.yaml"]
            .replace("lookup('vat_rates', upper(country), 'rate')", "lookup('vat_rate', country, 'rate')")
            .replace("lookup('vat_rates', country, 'label')", "lookup('vat_rates', country, 'lable')")
            .replace("lookup('owners', service)", "lookup('vat_rates', amount_net)"))
    result = cli("validate", str(write_project_files(tmp_path / "p", {"ruledeck.yaml": text})))
    assert result.exit_code == 1
    out = result.output
    assert ("ruledeck.yaml:46:29: error E-EXPR-UNKNOWN-FIELD at rules.tax.then[0].set.vat_rate: there is no lookup "
            "'vat_rate' (did you mean 'vat_rates'?)") in out
    assert ("error E-EXPR-UNKNOWN-FIELD at rules.tax.then[0].set.summary: lookup 'vat_rates' has no column 'lable' "
            "(did you mean 'label'?)") in out
    assert ("error E-EXPR-TYPE at rules.tax.then[0].set.owner: the key of lookup 'vat_rates' is string ('country'), "
            "got decimal") in out
