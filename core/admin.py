from django.core.paginator import Paginator
from django.utils.functional import cached_property


class ViewOnlyAdminMixin:
    """Records of money and of what Stripe told us: admins read them, nobody adds, edits or
    deletes them by hand (changes go through the services, which keep the invariants)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: an exact COUNT(*) of a million-row table scans all of
    it on every page load. Beyond the cap the list still pages, up to the cap's last page; a
    filter or search narrows it further."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self) -> int:
        # A sliced queryset counts in a subquery with LIMIT, so the scan stops at the cap.
        return self.object_list[: self.COUNT_CAP + 1].count()
