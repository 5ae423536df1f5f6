"""Pages of 50 (`?page=2`, `?page_size=` up to 200), with the total count and links."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = "ページ番号(1 から)"
    page_size_query_description = "1 ページの件数(既定 50、最大 200)"
    invalid_page_message = "ページ番号が正しくありません。"
