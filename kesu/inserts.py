"""One row inserted with a statement written once per process, for the write path that runs hundreds
of times a second (intake: the complaint, its first message, the audit event, the clocks, the key).

``Model.save()`` on a new row has Django's insert compiler build the same statement every time: for
each of the model's columns it asks the field for its placeholder, quotes the column name, checks the
value for expressions and assembles the SQL (a complaint has 55 columns), then fetches the new id
through the returning-columns machinery. :func:`insert` writes the statement once per model,
database and whether the primary key is given, and does per row only what ``save()`` does per row:
the ``pre_save`` signal, the related-object check, each field's ``pre_save`` (``auto_now_add``) and
``get_db_prep_save`` (the same value preparation, JSON adaptation included), the statement inside
``mark_for_rollback_on_error`` (an error inside an atomic block marks it for rollback, as ``save()``
does), the returned id through the field's converters, the instance's state and ``post_save``.

What it does not do it hands to the ORM unchanged: models with parents, proxies, ordering with respect
to another model, fields with placeholders of their own (binary data on MySQL), and values that are
expressions. Shared by every app, below all of them (like :mod:`kesu.memo`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import IntegrityError, connections, router, transaction
from django.db.models import BinaryField, Model
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=Model)


class _Statement:
    __slots__ = ("converters", "fields", "last_insert_id", "returning", "sql")

    def __init__(self, model: type[Model], connection: Any, pk_set: bool, unique: str | None) -> None:
        meta = model._meta
        self.fields = [
            f for f in meta.local_concrete_fields if not f.generated and (pk_set or f is not meta.auto_field)
        ]
        returning = list(meta.db_returning_fields)
        q = connection.ops.quote_name
        sql = "{} {} ({}) VALUES ({})".format(
            connection.ops.insert_statement(on_conflict=None),
            q(meta.db_table),
            ", ".join(q(f.column) for f in self.fields),
            ", ".join(["%s"] * len(self.fields)),
        )
        if unique is not None:
            sql += f" ON CONFLICT ({q(meta.get_field(unique).column)}) DO NOTHING"
        self.last_insert_id = False
        if returning and connection.features.can_return_columns_from_insert:
            returning_sql, _params = connection.ops.return_insert_columns(returning)
            sql = f"{sql} {returning_sql}"
        elif returning and returning == [meta.auto_field]:
            self.last_insert_id = True
        else:
            returning = []
        self.sql = sql
        self.returning = returning
        self.converters = []
        for field in returning:
            col = field.get_col(meta.db_table)
            self.converters.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))


_statements: dict[tuple[type[Model], str, bool, str | None], _Statement | None] = {}


def _compiled(model: type[Model], alias: str, pk_set: bool, unique: str | None = None) -> _Statement | None:
    key = (model, alias, pk_set, unique)
    if key not in _statements:
        meta = model._meta
        connection = connections[alias]
        plain = not (meta.parents or meta.proxy or meta.order_with_respect_to) and all(
            _plain_placeholder(f, connection) for f in meta.local_concrete_fields
        )
        if unique is not None:  # ON CONFLICT (column) DO NOTHING … RETURNING: PostgreSQL, SQLite
            plain = plain and (
                connection.features.supports_update_conflicts_with_target
                and connection.features.can_return_columns_from_insert
                and meta.db_returning_fields == [meta.auto_field]
                and meta.get_field(unique).unique
            )
        statement = _Statement(model, connection, pk_set, unique) if plain else None
        _statements[key] = statement if statement is not None and statement.fields else None
    return _statements[key]


def _plain_placeholder(field: Any, connection: Any) -> bool:
    """Whether the field's value goes in as a plain ``%s`` whatever it is: every field without a
    placeholder of its own, and binary data where the database takes it as it is (not MySQL)."""
    if not hasattr(field, "get_placeholder"):
        return True
    return isinstance(field, BinaryField) and all(
        connection.ops.binary_placeholder_sql(value) == "%s" for value in (None, b"\x00")
    )


def insert(instance: M, *, using: str | None = None) -> M:
    """Insert ``instance`` as a new row, as ``instance.save(force_insert=True)`` does, and return it
    (its primary key set). ``Model.objects.create(**fields)`` is ``insert(Model(**fields))``."""
    inserted = _insert(instance, using, None)
    assert inserted is not None
    return inserted


def insert_unless_taken(instance: M, *, unique: str, using: str | None = None) -> M | None:
    """Insert ``instance`` unless a row with its value of the unique field ``unique`` exists; None
    then, with nothing written and the caller's transaction as it was (on a row being inserted by
    another transaction at the same moment, it waits for that one to commit, as the unique index
    does). One ``INSERT … ON CONFLICT (unique) DO NOTHING``, where a savepoint around the insert and a
    caught IntegrityError took two more statements; where the database cannot say it, exactly that."""
    return _insert(instance, using, unique)


def _insert(instance: M, using: str | None, unique: str | None) -> M | None:
    model = type(instance)
    meta = model._meta
    alias = using or router.db_for_write(model, instance=instance)
    pk_set = instance._is_pk_set(meta)
    if not pk_set and (pk_value := meta.pk.get_pk_value_on_save(instance)) is not None:
        setattr(instance, meta.pk.attname, pk_value)
        pk_set = True
    statement = _compiled(model, alias, pk_set, unique)
    if statement is None:
        return _saved(instance, alias, unique)
    instance._prepare_related_fields_for_save(operation_name="save")
    pre_save.send(sender=model, instance=instance, raw=False, using=alias, update_fields=None)
    connection = connections[alias]
    params = []
    for field in statement.fields:
        value = field.pre_save(instance, True)
        if hasattr(value, "resolve_expression"):  # a database function as a value: the ORM resolves it
            return _expressions_inserted(instance, statement.fields, alias, unique)
        params.append(field.get_db_prep_save(value, connection))
    with transaction.mark_for_rollback_on_error(using=alias), connection.cursor() as cursor:
        cursor.execute(statement.sql, params)
        if statement.last_insert_id:
            row = (connection.ops.last_insert_id(cursor, meta.db_table, meta.auto_field.column),)
        elif statement.returning:
            row = cursor.fetchone()
            if row is None:  # ON CONFLICT DO NOTHING: the value is taken, nothing was written
                return None
        else:
            row = ()
    for value, field, (col, converters) in zip(row, statement.returning, statement.converters, strict=True):
        for convert in converters:
            value = convert(value, col, connection)
        setattr(instance, field.attname, value)
    return _inserted(instance, alias)


def _inserted(instance: M, alias: str) -> M:
    instance._state.db = alias
    instance._state.adding = False
    post_save.send(
        sender=type(instance), instance=instance, created=True, update_fields=None, raw=False, using=alias
    )
    return instance


def _expressions_inserted(instance: M, fields: list, alias: str, unique: str | None) -> M | None:
    """The rest of ``save()`` after its ``pre_save`` signal, by the ORM's own insert (which resolves
    expressions); with ``unique``, in a savepoint that a taken value undoes."""
    model = type(instance)
    returning = model._meta.db_returning_fields
    with transaction.mark_for_rollback_on_error(using=alias):
        if unique is None:
            rows = model._base_manager._insert([instance], fields=fields, returning_fields=returning, using=alias)
        else:
            try:
                with transaction.atomic(using=alias):
                    rows = model._base_manager._insert(
                        [instance], fields=fields, returning_fields=returning, using=alias
                    )
            except IntegrityError:
                return None
    for value, field in zip(rows[0] if rows else (), returning, strict=False):
        setattr(instance, field.attname, value)
    return _inserted(instance, alias)


def _saved(instance: M, alias: str, unique: str | None) -> M | None:
    """What the ORM does: ``save(force_insert=True)``; with ``unique``, in a savepoint that a taken
    value (an IntegrityError) undoes."""
    if unique is None:
        instance.save(force_insert=True, using=alias)
        return instance
    try:
        with transaction.atomic(using=alias):
            instance.save(force_insert=True, using=alias)
    except IntegrityError:
        return None
    return instance


#: psycopg caches the conversion of a statement's ``%s`` placeholders only for statements of up to 50
#: parameters (``psycopg._queries.MAX_CACHED_STATEMENT_PARAMS``: ORM bulk inserts of varying sizes would
#: crowd its cache of 128); a complaint's row has 55 columns, so its INSERT was parsed again on every
#: intake (0.15-0.35 ms). The widest row of this project's models fits under this limit.
STATEMENT_CACHE_PARAMS = 64


def cache_wide_statements() -> None:
    """Let psycopg cache the conversion of statements up to :data:`STATEMENT_CACHE_PARAMS` parameters
    (called once at start-up; nothing to do on other database drivers)."""
    try:
        from psycopg import _queries
    except ImportError:  # pragma: no cover - psycopg is a dependency; other drivers need nothing
        return
    if getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", STATEMENT_CACHE_PARAMS) < STATEMENT_CACHE_PARAMS:
        _queries.MAX_CACHED_STATEMENT_PARAMS = STATEMENT_CACHE_PARAMS
