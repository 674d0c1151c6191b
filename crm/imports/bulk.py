"""Writing thousands of rows of one table in a few statements, within the session's transaction.

PostgreSQL takes them through COPY (psycopg's ``Cursor.copy``), with ids drawn from the table's
sequence beforehand; SQLite through one executemany INSERT of the driver, with ids that follow
the id SQLite gives the first row. Multi-row INSERT statements cost PostgreSQL's driver more to
convert, and the server more to run, than the rows themselves: see bench/README.md.

Values go through each column's type as SQLAlchemy binds them (``SingleLineString`` cleans text,
JSON is serialized), a column at a time, and once for a value that every row shares (the time,
the import's context); a column default that a row leaves out is applied when it is a constant,
so both databases store the same values; a column whose default is computed must be given.
"""
from sqlalchemy import Table, func, select

from crm.extensions import db

_NOTHING = object()


def _complete(table: Table, rows: list[dict]) -> list[dict]:
    missing = [c for c in table.columns if c.default is not None and c.name not in rows[0]]
    computed = [c.name for c in missing if not c.default.is_scalar]
    if computed:
        raise ValueError(f"{table.name}: give a value for {', '.join(computed)}")
    if not missing:
        return rows
    constants = {c.name: c.default.arg for c in missing}
    return [{**constants, **row} for row in rows]


def _bound(table: Table, names: list[str], rows: list[dict], dialect) -> list[tuple]:
    """The rows as tuples of the values the driver receives, in the order of ``names``."""
    columns = []
    for name in names:
        values = [row[name] for row in rows]
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            bound, last, last_bound = [], _NOTHING, None
            for value in values:
                if value is not last:  # the same object as the row before: already converted
                    last, last_bound = value, process(value)
                bound.append(last_bound)
            values = bound
        columns.append(values)
    return list(zip(*columns, strict=True))


def _write(table: Table, rows: list[dict]):
    """Insert the rows; on SQLite, answer the driver's result (its ``lastrowid`` for one row)."""
    connection = db.session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    values = _bound(table, names, rows, dialect)
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    if dialect.name == "postgresql":
        # The session's own connection: the rows belong to its transaction, committed or rolled back with it.
        with connection.connection.driver_connection.cursor() as cursor, \
                cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return None
    placeholders = ", ".join("?" * len(names))
    # Only the model's own names, quoted, are in the text; the values are bound.
    statement = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})"  # noqa: S608  # nosec B608
    return connection.exec_driver_sql(statement, values if len(values) > 1 else values[0])


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert ``rows`` (dicts with the same keys)."""
    if rows:
        _write(table, _complete(table, rows))


def insert_rows_with_ids(table: Table, rows: list[dict]) -> list[int]:
    """Insert ``rows`` and return their ids, in their order."""
    if not rows:
        return []
    rows = _complete(table, rows)
    if _is_postgresql():
        sequence = func.pg_get_serial_sequence(table.name, table.c.id.name)
        ids = list(db.session.scalars(select(func.nextval(sequence)).select_from(func.generate_series(1, len(rows)))))
        _write(table, [{**row, "id": new_id} for row, new_id in zip(rows, ids, strict=True)])
        return ids
    # SQLite gives the first row an id above every id of the table, and that insert takes the
    # database's one write lock until the transaction ends: no other connection inserts meanwhile,
    # so the ids that follow it are free.
    first = _write(table, rows[:1]).lastrowid
    ids = list(range(first, first + len(rows)))
    if len(rows) > 1:
        _write(table, [{**row, "id": new_id} for row, new_id in zip(rows[1:], ids[1:], strict=True)])
    return ids
