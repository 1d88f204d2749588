"""What validation finds in refusals, constraints, period tables and who acts: positioned, through ``validate``."""

from __future__ import annotations

BROKEN = """\
processes:
  payment:
    fields:
      amount: {type: decimal}
      fee: {type: decimal, compute: "amount * 0.1", unique: true}
    pipelines:
      main:
        stages:
          draft: {}
          approved: {require: [reason, {that: "amont > 0", message: "no amount"}]}
    tasks:
      sign: {outcomes: [signed], completed_by: {role: leads}}
roles:
  lead: {}
period_tables:
  calls:
    variants:
      all:
        default: true
        rows: [{offset: 3 months, label: first}, {offset: 1 month, label: first}]
"""
UNREACHABLE = """\
processes:
  payment:
    pipelines: {main: {stages: {draft: {}, archived: {kind: success}}}}
"""


def _validate(cli, tmp_path, monkeypatch, defs: str, *options: str):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "p"
    root.mkdir(exist_ok=True)
    (root / "ruledeck.yaml").write_text("ruledeck: 1\nname: p\ntimezone: UTC\n")
    (root / "defs.yaml").write_text(defs)
    result = cli("validate", "p", *options)
    summary = result.output.splitlines()[-1]
    return result.exit_code, [text for text in result.stdout.splitlines() if text.startswith("p/")], summary


def test_refusals_constraints_period_tables_and_roles_are_refused_at_their_place(cli, tmp_path, monkeypatch):
    code, findings, summary = _validate(cli, tmp_path, monkeypatch, BROKEN)
    assert (code, summary) == (1, "p: FAILED (6 error(s), 0 warning(s))")
    assert findings == [
        "p/defs.yaml:5:61: error E-FIELD-CONSTRAINT at processes.payment.fields.fee.unique: 'unique' cannot "
        "constrain computed field 'fee': its value is worked out, never set (constrain the fields it is computed "
        "from, or require it on a stage)",
        "p/defs.yaml:10:32: error E-REF-FIELD at processes.payment.pipelines.main.stages.approved.require[0]: "
        "process 'payment' has no field 'reason' (process 'payment' has: amount, fee)",
        "p/defs.yaml:10:48: error E-EXPR-UNKNOWN-FIELD at processes.payment.pipelines.main.stages.approved"
        ".require[1].that: unknown field 'amont' (in a stage's require) (did you mean 'amount'?)",
        "p/defs.yaml:12:55: error E-REF-ROLE at processes.payment.tasks.sign.completed_by.role: there is no role "
        "'leads' (did you mean 'lead'?)",
        "p/defs.yaml:20:59: error E-PERIOD-OFFSET at period_tables.calls.variants.all.rows[1].offset: offset "
        "'1 month' of variant 'all' is not after the row before it ('3 months') (order the rows by offset, each "
        "later than the one before)",
        "p/defs.yaml:20:75: error E-PERIOD-LABEL at period_tables.calls.variants.all.rows[1].label: label 'first' "
        "of variant 'all' is already used by row 1 (give every row of a variant its own label)",
    ]


def test_an_unreachable_stage_is_a_warning_naming_the_fix_and_an_error_under_strict(cli, tmp_path, monkeypatch):
    message = ("p/defs.yaml:3:44: warning W-STAGE-UNREACHABLE at processes.payment.pipelines.main.stages.archived: "
               "no rule or person can put a 'payment' card in stage 'archived' (add 'move: archived' to a rule of "
               "process 'payment' (or 'stage: archived' to a create of it), or mark the stage 'manual: true' so "
               "people can move cards there with 'ruledeck move')")
    assert _validate(cli, tmp_path, monkeypatch, UNREACHABLE) == (0, [message], "p: ok (0 error(s), 1 warning(s))")
    assert _validate(cli, tmp_path, monkeypatch, UNREACHABLE, "--strict") == (
        1, [message], "p: FAILED (0 error(s), 1 warning(s))")
    fixed = UNREACHABLE.replace("kind: success}", "kind: success, manual: true}")
    assert _validate(cli, tmp_path, monkeypatch, fixed, "--strict") == (0, [], "p: ok (0 error(s), 0 warning(s))")
