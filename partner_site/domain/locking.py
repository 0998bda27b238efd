"""Row locks for money changes: the rows are locked and read afresh (not from the session's cache)."""


def locked(query):
    """Lock the selected rows until the transaction ends (PostgreSQL; SQLite serialises writers) and
    load their current values, so a decision is never taken on what this session saw earlier."""
    return query.with_for_update().execution_options(populate_existing=True)


def maybe_locked(query, for_update: bool):
    return locked(query) if for_update else query
