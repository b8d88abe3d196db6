"""OpenAPI component names for the nested serializers our views use (STYLE.md).

Every view nests its own `InputSerializer`/`OutputSerializer`; drf-spectacular names components by
the bare class name, so two views' `InputSerializer` would collide into one (wrong) component.
Naming them by the enclosing class ("RegisterApi.InputSerializer" -> "RegisterInput") keeps them
apart without renaming anything in the views.
"""

from drf_spectacular.openapi import AutoSchema


class FitConnectAutoSchema(AutoSchema):
    def get_serializer_name(self, serializer, direction):
        cls = serializer.__class__
        parts = cls.__qualname__.split(".")
        if len(parts) == 1 or "<locals>" in parts:
            return super().get_serializer_name(serializer, direction)
        outer = [p.removesuffix("Api").removesuffix("View") for p in parts[:-1]]
        return "".join([*outer, parts[-1]])
