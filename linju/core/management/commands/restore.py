"""manage.py restore ARCHIVE [--force]: restore a backup into an empty database and media
directory (docs/operations.md#backups-and-restore)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from linju.core.backups import BackupError, media_root, restore_backup

from .backup import progress_bars, size


class Command(BaseCommand):
    help = (
        "Restore an archive written by manage.py backup into this site's database and media "
        "directory, which must be empty (or --force). A PostgreSQL archive restores to "
        "PostgreSQL, an SQLite one to SQLite. Stop the web and worker processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help=(
                "drop every table, view and sequence of the database and delete every file in "
                "the media directory before restoring"
            ),
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, archive: Path, force: bool, database: str, **options):
        verbosity = options["verbosity"]
        root = media_root()
        try:
            result = restore_backup(
                archive=archive,
                connection=connections[database],
                media_root=root if root is not None else Path(settings.MEDIA_ROOT),
                force=force,
                progress=progress_bars(verbosity),
                say=self.stdout.write,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"Database error: {exc}") from None
        if verbosity == 0:
            return
        m = result.manifest
        counts = result.row_counts
        self.stdout.write(
            f"restored {archive.name} (made {m['created_at']}, Linju {m['linju']['version']}, "
            f"commit {m['linju']['git_commit'] or 'unknown'})"
        )
        self.stdout.write(
            f"database: {len(counts)} tables, {sum(counts.values())} rows; "
            "every table's row count matches the manifest"
        )
        if m["media"]["included"]:
            files, total = result.media_files, size(m["media"]["bytes"])
            self.stdout.write(f"media: {files} files, {total}, checksums verified")
        for note in result.notes:
            self.stdout.write(self.style.WARNING(note))
