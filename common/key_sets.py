"""A set of primary keys read beforehand (from a full-text or a share index) as one condition
of a query: one parameter however many keys, in the form PostgreSQL plans and runs best."""

import numpy as np
from django.db.models import BooleanField, Expression, F


class _PrimaryKeyCondition(Expression):
    """A condition on the primary key of the query it filters (a set of keys given at once)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column=None):
        super().__init__()
        self.column = column if column is not None else F("pk")

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, expressions):
        (self.column,) = expressions


class PrimaryKeyAmong(_PrimaryKeyCondition):
    """pk = ANY(ids): one array parameter (an IN list of thousands of placeholders is not a
    query); PostgreSQL hashes a constant array it filters by, and knows how many rows it admits,
    so it drives the query from the keys when they are few."""

    def __init__(self, ids: list[int], column=None):
        super().__init__(column)
        self.ids = list(ids)

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        return f"{column} = ANY(%s::bigint[])", [*params, self.ids]


class PrimaryKeyInBitmap(_PrimaryKeyCondition):
    """get_bit(bitmap, pk) = 1: a set of many keys as one bitmap parameter (bit n of byte n/8 for
    key n: 100,000 influencers take 12.5 KB). PostgreSQL checks a row in constant time and plans
    it at once; a constant array of as many keys costs tens of ms to send, read and estimate."""

    def __init__(self, ids, column=None):
        super().__init__(column)
        ids = np.asarray(ids, dtype=np.int64)
        self.bits = int(ids.max()) + 1 if len(ids) else 0
        flags = np.zeros(self.bits, dtype=bool)
        flags[ids] = True
        self.bitmap = np.packbits(flags, bitorder="little").tobytes()  # get_bit's bit order

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        if not self.bits:
            return "1 = 0", []
        sql = f"({column} < %s AND get_bit(%s::bytea, {column}::int) = 1)"
        return sql, [*params, self.bits, *params, self.bitmap]


# More keys than this are given as a bitmap (PrimaryKeyInBitmap), fewer as an array
# (PrimaryKeyAmong); a bitmap is never larger than 2 MB (keys up to 16 million).
KEYS_INLINE_MAX = 20_000
BITMAP_MAX_KEY = 2**24


def primary_key_among(ids: list[int]) -> Expression:
    """The condition "pk is one of ids" in the form PostgreSQL plans and runs best for their
    number (the list's search matches and style-share keys, read from their indexes first)."""
    if len(ids) <= KEYS_INLINE_MAX or max(ids) >= BITMAP_MAX_KEY:
        return PrimaryKeyAmong(ids)
    return PrimaryKeyInBitmap(ids)
