"""limit/offset pagination for every list of the API (at most 1000 items a page)."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


class LimitOffsetInput(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Banyaknya baris (1–1000).")
    offset: int = Field(0, ge=0, description="Lewati sekian baris pertama.")


class LimitOffset(PaginationBase):
    Input = LimitOffsetInput

    class Output(Schema):
        count: int = Field(..., description="Banyaknya baris yang cocok, seluruhnya.")
        limit: int
        offset: int
        items: list[Any]

    def paginate_queryset(self, queryset, pagination: LimitOffsetInput, request, **params):
        offset, limit = pagination.offset, pagination.limit
        return {
            "count": self._items_count(queryset),
            "limit": limit,
            "offset": offset,
            "items": queryset[offset:offset + limit],
        }
