"""Explicit state machines: a table of allowed moves and one function that applies them."""


class IllegalTransition(Exception):
    def __init__(self, obj, field: str, current: str, target: str):
        self.current, self.target = current, target
        super().__init__(
            f"{type(obj).__name__} {obj.pk}: {field} cannot go from {current} to {target}"
        )


def transition(obj, field: str, target: str, table: dict[str, set[str]]) -> bool:
    """Move `obj.<field>` to `target` if the table allows it.

    Returns False (and changes nothing) when the object is already in `target`, so callers that
    replay an event are idempotent; raises IllegalTransition for a move the table does not list.
    The caller saves.
    """
    current = getattr(obj, field)
    if current == target:
        return False
    if target not in table.get(current, set()):
        raise IllegalTransition(obj, field, current, target)
    setattr(obj, field, target)
    return True
