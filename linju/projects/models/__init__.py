"""Co-creation (共同缔造, seeds 000, 002, 004): the three lists (needs, resources, projects),
partner organisations with their co-building agreements, micro-projects from a need to the
residents' evaluation, elevator retrofits unit by unit, and crowdfunding with public accounts.
One module per part; everything is importable from here."""

from .funds import *  # noqa: F403
from .lists import *  # noqa: F403
from .projects import *  # noqa: F403
