"""Writing thousands of rows of one table in a few statements, within the session's transaction.

PostgreSQL takes them through COPY (psycopg's ``Cursor.copy``), with ids drawn from the table's
sequence beforehand; elsewhere (SQLite) through one executemany INSERT, and one INSERT … RETURNING
when the ids are needed. Multi-row INSERT statements cost PostgreSQL's driver more to convert, and
the server more to run, than the rows themselves: see bench/README.md.

Values go through each column's type as SQLAlchemy binds them (``SingleLineString`` cleans text,
JSON is serialized), and a column default that a row leaves out is applied when it is a constant,
so both paths store the same values; a column whose default is computed must be given.
"""
from sqlalchemy import Table, func, insert, select

from crm.extensions import db


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _complete(table: Table, rows: list[dict]) -> list[dict]:
    missing = [c for c in table.columns if c.default is not None and c.name not in rows[0]]
    computed = [c.name for c in missing if not c.default.is_scalar]
    if computed:
        raise ValueError(f"{table.name}: give a value for {', '.join(computed)}")
    if not missing:
        return rows
    constants = {c.name: c.default.arg for c in missing}
    return [{**constants, **row} for row in rows]


def _copy(table: Table, rows: list[dict]) -> None:
    connection = db.session.connection()
    dialect = connection.dialect
    columns = list(rows[0])
    processors = [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in columns)}) FROM STDIN"
    # The session's own connection: the rows belong to its transaction, committed or rolled back with it.
    with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[name] if process is None else process(row[name])
                            for name, process in zip(columns, processors, strict=True)])


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys)."""
    if not rows:
        return
    rows = _complete(table, rows)
    if _is_postgresql():
        _copy(table, rows)
    else:
        db.session.execute(insert(table), rows)


def insert_rows_with_ids(table: Table, rows: list[dict], key: tuple[str, ...]) -> list[int]:
    """Insert ``rows`` and return their ids, in their order; ``key`` names columns whose values are
    unique among these rows (SQLite returns the new rows in an order it does not promise)."""
    if not rows:
        return []
    rows = _complete(table, rows)
    if _is_postgresql():
        sequence = func.pg_get_serial_sequence(table.name, table.c.id.name)
        ids = list(db.session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))))
        _copy(table, [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)])
        return ids
    returned = db.session.execute(insert(table).returning(table.c.id, *(table.c[k] for k in key)), rows).all()
    by_key = {tuple(found[1:]): found[0] for found in returned}
    return [by_key[tuple(row[k] for k in key)] for row in rows]
