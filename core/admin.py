class ViewOnlyAdminMixin:
    """Records of money and of what Stripe told us: admins read them, nobody adds, edits or
    deletes them by hand (changes go through the services, which keep the invariants)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
