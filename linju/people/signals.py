"""Keep core.access's shared scope cache true. A user's scopes are built from their role
grants, verified residencies, liaison households and the households those serve, and the
buildings of the grids they work; any change to these forgets the users concerned, whether it
came through a service, the admin or a shell. (Bulk `update()` sends no signal: services that
use it call `access.forget` themselves.)"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from linju.core import access
from linju.places.models import Grid

from .models import LiaisonHousehold, Residency, RoleGrant


@receiver([post_save, post_delete], sender=RoleGrant)
@receiver([post_save, post_delete], sender=Residency)
def _forget_owner(sender, instance, **kwargs):
    access.forget(instance.user_id)


@receiver([post_save, post_delete], sender=LiaisonHousehold)
def _forget_liaison(sender, instance, **kwargs):
    access.forget(instance.member_id)


@receiver(m2m_changed, sender=LiaisonHousehold.served.through)
def _forget_served(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            access.forget(instance.member_id)
        return
    # From the household's side: the liaisons added or removed, or all that served it.
    if action in ("post_add", "post_remove"):
        liaisons = LiaisonHousehold.objects.filter(pk__in=pk_set)
    elif action == "pre_clear":
        liaisons = LiaisonHousehold.objects.filter(served=instance)
    else:
        return
    for member_id in liaisons.values_list("member_id", flat=True):
        access.forget(member_id)


@receiver(m2m_changed, sender=Grid.buildings.through)
def _forget_grid_workers(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        grants = RoleGrant.objects.filter(grid=instance)
    elif action in ("post_add", "post_remove"):
        grants = RoleGrant.objects.filter(grid__in=pk_set)
    elif action == "pre_clear":
        grants = RoleGrant.objects.filter(grid__buildings=instance)
    else:
        return
    for user_id in grants.filter(revoked_at__isnull=True).values_list("user_id", flat=True):
        access.forget(user_id)
