"""The API's one way of paging a list: `limit` and `offset`, both bounded.

An unbounded offset reached the database as an integer it cannot hold (SQLite
and PostgreSQL take 64-bit OFFSETs) and answered 500 (issue 16, found by
schemathesis on /api/v1/cases, /organisations and /policies/documents). Bounded
here, a caller is told in Chinese which field is out of range (core.api_errors)."""

from ninja import Field, Schema

# Far past any list the platform keeps (the demo year has ~820,000 case
# events), far below the 64-bit limit even with `limit` added.
MAX_OFFSET = 10_000_000


class PageQuery(Schema):
    """Query parameters of a paged list; a list with a different page size
    subclasses it and redeclares `limit`."""

    limit: int = Field(50, ge=1, le=200, description="每页条数")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="起始位置（从 0 起）")


def page(queryset, query: PageQuery) -> list:
    """The rows of one page."""
    return list(queryset[query.offset : query.offset + query.limit])
