"""manage.py import_roster FILE --community CODE_OR_ID [--actor MOBILE]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from linju.core.errors import DomainError
from linju.people.models import User
from linju.people.roster import RosterInvalid
from linju.people.services import import_roster
from linju.places.models import Place, PlaceKind


def _count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


class Command(BaseCommand):
    help = (
        "Import a household roster (XLSX or CSV) into a community, all or nothing. "
        "Without --actor the import is recorded as done by the system."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--community", required=True, help="community id or code")
        parser.add_argument("--actor", help="mobile number of the staff member importing")

    def handle(self, *args, file: Path, community: str, actor: str | None, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        place = self._community(community)
        user = None
        if actor:
            user = User.objects.filter(mobile=actor, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user with mobile {actor}.")
        total = None if file.suffix.lower() == ".xlsx" else max(_count_lines(file) - 1, 0)
        with (
            file.open("rb") as f,
            tqdm(
                total=total, unit=" rows", file=sys.stderr, disable=options["verbosity"] == 0
            ) as bar,
        ):
            try:
                result = import_roster(
                    actor=user,
                    community_id=place.pk,
                    file=f,
                    filename=file.name,
                    progress=bar.update,
                )
            except RosterInvalid as exc:
                bar.close()
                for p in exc.problems:
                    where = f"row {p.row}" if p.row else "file"
                    self.stderr.write(f"{where}, {p.column or p.field}: {p.message}")
                raise CommandError(exc.message) from None
            except DomainError as exc:
                raise CommandError(str(exc.message)) from None
        for key, value in result.as_dict().items():
            self.stdout.write(f"{key.replace('_', ' ')}: {value}")

    def _community(self, code_or_id: str) -> Place:
        communities = Place.objects.filter(kind=PlaceKind.COMMUNITY)
        matches = list(communities.filter(code=code_or_id)[:2])
        if not matches and code_or_id.isdigit():
            matches = list(communities.filter(pk=int(code_or_id)))
        if len(matches) != 1:
            raise CommandError(
                f"Community {code_or_id!r} "
                + ("is ambiguous; give its id." if matches else "not found.")
            )
        return matches[0]
