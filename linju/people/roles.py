"""The roles of DESIGN.md §1. Resident and owner come from verified residencies, party liaison
(党员中心户) from a LiaisonHousehold and the households it serves; the others are granted by
staff and bound to a place or a grid (RoleGrant)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    OWNER = "owner", _("Owner")
    UNIT_HEAD = "unit_head", _("Unit head")
    BUILDING_HEAD = "building_head", _("Building head")
    FLOOR_HEAD = "floor_head", _("Floor head")
    GRID_WORKER = "grid_worker", _("Grid worker")
    PARTY_LIAISON = "party_liaison", _("Party liaison household")
    COMMUNITY_STAFF = "community_staff", _("Community worker")
    PROPERTY_MANAGER = "property_manager", _("Property manager")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee member")
    PARTNER = "partner", _("Partner organisation")
    SUBDISTRICT_ADMIN = "subdistrict_admin", _("Subdistrict administrator")


# Roles that come from households, never from a grant.
HOUSEHOLD_ROLES = {Role.RESIDENT, Role.OWNER, Role.PARTY_LIAISON}
GRANTABLE_ROLES = [r for r in Role if r not in HOUSEHOLD_ROLES]

# The place kind each granted role is bound to; grid workers are bound to a grid instead.
ROLE_SCOPE_KIND = {
    Role.UNIT_HEAD: "unit",
    Role.BUILDING_HEAD: "building",
    Role.FLOOR_HEAD: "building",
    Role.GRID_WORKER: "grid",
    Role.COMMUNITY_STAFF: "community",
    Role.PROPERTY_MANAGER: "estate",
    Role.OWNERS_COMMITTEE: "estate",
    Role.PARTNER: "community",
    Role.SUBDISTRICT_ADMIN: "subdistrict",
}
