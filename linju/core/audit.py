"""Writing the audit log. Services call `record` inside their transaction, so an event exists
exactly when its change does."""

from .models import AuditEvent


def record(*, actor, verb: str, obj, data: dict | None = None, scope_path: str | None = None):
    from .access import scope_path_of

    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        scope_path=scope_path if scope_path is not None else scope_path_of(obj),
        data=data or {},
    )
