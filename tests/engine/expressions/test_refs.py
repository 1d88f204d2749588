"""Following ref fields (``device.client.name``): checked against the referenced process, null through null refs."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
import pytest
from ruledeck.engine.errors import ExpressionError
from ruledeck.engine.expressions import Scope, Type, check, evaluate, names_used, parse, to_sql
from sqlglot import exp

TZ = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 3, 15, 10, 0, tzinfo=TZ)
CLIENT = {"id": Type.of("ref", process="client"), "name": Type.of("string"), "vip": Type.of("bool"),
          "tags": Type.of("string", many=True)}
DEVICE = {"id": Type.of("ref", process="device"), "serial": Type.of("string"),
          "client": Type.of("ref", process="client"), "owners": Type.of("ref", many=True, process="client")}
SCOPE = Scope({"device": Type.of("ref", process="device"), "n": Type.of("int")},
              {"source": {"device": Type.of("ref", process="device")}},
              processes={"device": DEVICE, "client": CLIENT})


class Columns:
    """Bare names are columns of ``t``, ``source.x`` is ``t.source_x``; no ``deref``: refs read by subqueries."""

    def column(self, namespace, name):
        return exp.column(name if namespace is None else f"{namespace}_{name}", table="t", quoted=True)

    def now(self):
        return exp.Cast(this=exp.Literal.string(NOW.isoformat()), to=exp.DataType.build("timestamptz"))


@pytest.fixture(scope="module")
def con():
    con = duckdb.connect()
    con.execute("CREATE TABLE items_client (id BIGINT, name VARCHAR, vip BOOLEAN)")
    con.execute("CREATE TABLE items_device (id BIGINT, serial VARCHAR, client BIGINT)")
    con.execute("CREATE TABLE t (device BIGINT, source_device BIGINT, n BIGINT)")
    con.execute("INSERT INTO items_client VALUES (1, 'Acme', true), (2, 'Beta', false)")
    con.execute("INSERT INTO items_device VALUES (10, 'SN-10', 1), (11, 'SN-11', NULL), (12, 'SN-12', 2)")
    return con


DEVICES = {10: ("SN-10", 1), 11: ("SN-11", None), 12: ("SN-12", 2)}
CLIENTS = {1: ("Acme", True), 2: ("Beta", False)}


def _values(device, source_device):
    """What evaluate() is given: each followed ref under its dotted path, as a caller reads them."""
    serial, client = DEVICES.get(device, (None, None))
    name, vip = CLIENTS.get(client, (None, None))
    source_client = DEVICES.get(source_device, (None, None))[1]
    return {(None, "device"): device, (None, "device.serial"): serial, (None, "device.client"): client,
            (None, "device.client.name"): name, (None, "device.client.vip"): vip,
            ("source", "device.client.name"): CLIENTS.get(source_client, (None, None))[0]}


@pytest.mark.parametrize("text", [
    "device.client.name", "device.serial", "device.client", "coalesce(device.client.name, 'nobody')",
    "device.client.vip and device.serial like 'SN-%'", "concat(device.serial, ' / ', device.client.name)",
    "source.device.client.name = device.client.name",
])
@pytest.mark.parametrize(("device", "source_device"), [(10, 12), (11, 10), (12, 12), (None, None), (99, 10)])
def test_sql_and_evaluate_agree_through_refs(con, text, device, source_device):
    expr = parse(text)
    check(expr, SCOPE)
    sql = to_sql(expr, Columns()).sql("duckdb")
    con.execute("DELETE FROM t")
    con.execute("INSERT INTO t VALUES (?, ?, 0)", [device, source_device])
    in_db = con.execute(f"SELECT {sql} FROM t").fetchone()[0]
    assert in_db == evaluate(expr, _values(device, source_device), NOW, TZ), sql


def test_types_come_from_the_referenced_process():
    assert check(parse("device.client"), SCOPE) == Type.of("ref", process="client")
    assert check(parse("device.client.vip"), SCOPE) == Type.of("bool")
    assert check(parse("source.device.serial"), SCOPE) == Type.of("string")
    with pytest.raises(ExpressionError, match="cannot compare string with int"):
        check(parse("device.client.name = 1"), SCOPE)


@pytest.mark.parametrize(("text", "code", "where", "message"), [
    ("device.client.nmae", "E-EXPR-UNKNOWN-FIELD", 14,
     "'device.client' is a ref to process 'client', which has no field 'nmae' (did you mean 'name'?)"),
    ("n > 1 and device.seriel = 'x'", "E-EXPR-UNKNOWN-FIELD", 17,
     "'device' is a ref to process 'device', which has no field 'seriel' (did you mean 'serial'?)"),
    ("source.device.client.nam", "E-EXPR-UNKNOWN-FIELD", 21,
     "'source.device.client' is a ref to process 'client', which has no field 'nam' (did you mean 'name'?)"),
    ("device.serial.x", "E-EXPR-TYPE", 14, "'device.serial' is string, not a ref: only a ref field can be followed"),
    ("n.x", "E-EXPR-TYPE", 2, "'n' is int, not a ref"),
    ("device.owners.name", "E-EXPR-TYPE", 14, "'device.owners' is a list of ref to client: a list of refs cannot"),
    ("devise.serial", "E-EXPR-UNKNOWN-NAMESPACE", 0,
     "unknown namespace or ref field 'devise' (did you mean 'device'?)"),
    ("a.b.c.d.e", "E-EXPR-FORBIDDEN", 0, "a name has at most four parts"),
])
def test_wrong_paths_are_positioned(text, code, where, message):
    with pytest.raises(ExpressionError) as error:
        check(parse(text), SCOPE)
    assert (error.value.code, error.value.offset) == (code, where)
    assert str(error.value).startswith(message)


def test_a_place_without_processes_cannot_follow_refs():
    scope = Scope({"device": Type.of("ref", process="device")})
    with pytest.raises(ExpressionError, match="'device' cannot be followed here") as error:
        check(parse("device.serial"), scope)
    assert error.value.code == "E-EXPR-FORBIDDEN"


def test_a_ref_to_an_undeclared_process_says_so():
    scope = Scope({"device": Type.of("ref", process="devices")}, processes={"device": DEVICE})
    with pytest.raises(ExpressionError, match="'device' points to process 'devices', which is not declared"):
        check(parse("device.serial"), scope)


def test_names_used_split_at_the_first_dot():
    assert names_used(parse("device.client.name = source.device.serial")) == {
        ("device", "client.name"), ("source", "device.serial")}
