"""What every API operation shares: the error body, the error statuses, bounded numbers and
the pagination. One place, so that the OpenAPI document declares the same limits the
database has and every operation lists the errors it can give."""

from typing import Annotated, Any

from django.db.models import QuerySet
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

# The database's integer ranges: ids are 64-bit (BigAutoField), counts and versions
# 32-bit. A larger number is refused by the schema (422) before it reaches a query.
BIGINT_MAX = 9_223_372_036_854_775_807
INTEGER_MAX = 2_147_483_647
# Deep enough for any list (100 000 pages of 100), small enough that OFFSET never overflows.
PAGE_MAX = 100_000

Id = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
Count = Annotated[int, Field(ge=0, le=INTEGER_MAX)]
Version = Annotated[int, Field(ge=1, le=INTEGER_MAX)]
Year = Annotated[int, Field(ge=1900, le=2999)]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


# 400: a body that is not JSON; 401: no or a revoked token; 403: no right; 404: not
# found or outside scope (also any unknown path under the API); 422: values not valid.
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Paginated(PageNumberPagination):
    """Page-number pagination with the page bounded: beyond the last page an empty page,
    beyond `PAGE_MAX` a 422 (declared in the schema), never an OFFSET overflow."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=PAGE_MAX)
        page_size: int | None = Field(None, ge=1, le=INTEGER_MAX)

    def paginate_queryset(self, queryset: QuerySet, pagination: Any, request, **params) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        count = self._items_count(queryset)
        items = queryset[offset : offset + page_size] if offset < count else []
        return {self.items_attribute: items, "count": count}
