from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param


class LinkHeaderPagination(PageNumberPagination):
    """Lists stay plain JSON arrays (the documented payment list's shape); paging is in headers.

    `?page=N&page_size=M` (default 50, max 200); RFC 8288 `Link` with next/prev/first/last and
    `X-Total-Count`.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # isdigit() alone accepts "²", which int() refuses; past 18 digits int() may refuse too.
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 18) or int(raw) < 1:
            raise ValidationError({"page_size": ["Must be a positive integer."]})
        return min(int(raw), self.max_page_size)

    def get_paginated_response(self, data):
        links = []
        page = self.page
        url = self.request.build_absolute_uri()

        def link(number, rel):
            links.append(
                f'<{replace_query_param(url, self.page_query_param, number)}>; rel="{rel}"'
            )

        if page.has_next():
            link(page.next_page_number(), "next")
        if page.has_previous():
            link(page.previous_page_number(), "prev")
        link(1, "first")
        link(page.paginator.num_pages, "last")
        headers = {"Link": ", ".join(links), "X-Total-Count": str(page.paginator.count)}
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_operation_parameters(self, view):
        # Both are refused below 1 (page with a 404, page_size with a 400): say so in the schema.
        params = super().get_schema_operation_parameters(view)
        for param in params:
            param["schema"]["minimum"] = 1
        return params
