"""OpenAPI component names for the nested serializers our views use (STYLE.md), and the error
answers every operation can give.

Every view nests its own `InputSerializer`/`OutputSerializer`; drf-spectacular names components by
the bare class name, so two views' `InputSerializer` would collide into one (wrong) component.
Naming them by the enclosing class ("RegisterApi.InputSerializer" -> "RegisterInput") keeps them
apart without renaming anything in the views.

drf-spectacular documents only the success answer. The 4xx that DRF itself gives (validation,
authentication, permission, not found, an invalid page) follow from the view's setup, so they are
added here for every operation, with core.api's {"error", "fields"} body; answers a service
raises (409 Conflict, 402, 502, 429) are declared on the view with `responses=`.
"""

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny
from rest_framework_simplejwt.views import TokenViewBase

from core.api import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `error` is the first message, `fields` has all of them.",
    "401": "Not signed in, or the token or credentials are invalid.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object (or not yours), or no such page.",
}


class FitConnectAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction):
        cls = serializer.__class__
        parts = cls.__qualname__.split(".")
        if len(parts) == 1 or "<locals>" in parts:
            return super().get_serializer_name(serializer, direction)
        outer = [p.removesuffix("Api").removesuffix("View") for p in parts[:-1]]
        return "".join([*outer, parts[-1]])

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        view = self.view
        params = operation.get("parameters", [])
        codes = set()
        if "requestBody" in operation or any(p["in"] == "query" for p in params):
            codes.add("400")
        # An invalid Bearer token is a 401 even on public endpoints; only views that read no
        # credentials at all (sign-up, the Stripe webhook) never answer it. The token views read
        # none either but answer 401 for wrong credentials.
        if view.authentication_classes or isinstance(view, TokenViewBase):
            codes.add("401")
        if any(not issubclass(p, AllowAny) for p in view.permission_classes):
            codes.add("403")
        if any(p["in"] == "path" for p in params) or self._is_list_view():
            codes.add("404")
        ref = self.resolve_serializer(ErrorSerializer, "response").ref
        for code in sorted(codes - set(operation["responses"])):
            operation["responses"][code] = {
                "content": {"application/json": {"schema": ref}},
                "description": ERROR_DESCRIPTIONS[code],
            }
        return operation
