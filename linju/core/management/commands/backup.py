"""manage.py backup DIRECTORY [--compress] [--keep N]: one archive of the database and media
(docs/operations.md#backups-and-restore)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError
from tqdm import tqdm

from linju.core.backups import BackupError, create_backup


def progress_bars(verbosity: int):
    """tqdm bars on stderr for linju.core.backups, none at -v0 (cron)."""

    def bar(*, desc, total, unit):
        in_bytes = unit == "B"
        return tqdm(
            desc=desc,
            total=total,
            unit=unit,
            unit_scale=in_bytes,
            unit_divisor=1024 if in_bytes else 1000,
            file=sys.stderr,
            disable=verbosity == 0,
        )

    return bar


def size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024:
            return f"{n:.0f} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TiB"


class Command(BaseCommand):
    help = (
        "Write one archive (linju-backup-YYYYmmdd-HHMMSS.tar, UTC) of the database and the media "
        "directory, with a manifest of checksums and row counts, into DIRECTORY."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="where the archive goes")
        parser.add_argument("--compress", action="store_true", help="gzip the archive (.tar.gz)")
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="then remove the archives in DIRECTORY older than the newest N",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, directory: Path, compress: bool, keep, database: str, **options):
        verbosity = options["verbosity"]
        try:
            backup = create_backup(
                directory=directory,
                using=database,
                compress=compress,
                keep=keep,
                progress=progress_bars(verbosity),
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"Database error: {exc}") from None
        if verbosity == 0:
            return
        m = backup.manifest
        counts = m["database"]["row_counts"]
        media = m["media"]
        self.stdout.write(f"backup written: {backup.path} ({size(backup.path.stat().st_size)})")
        self.stdout.write(
            f"database: {m['database']['vendor']}, {len(counts)} tables, "
            f"{sum(counts.values())} rows"
        )
        if media["included"]:
            self.stdout.write(f"media: {media['files']} files, {size(media['bytes'])}")
            if media["skipped_links"]:
                self.stdout.write(
                    f"skipped {len(media['skipped_links'])} symbolic links in the media "
                    "directory (not backed up)"
                )
            if media["vanished"]:
                self.stdout.write(
                    f"{len(media['vanished'])} media files were deleted while the backup ran "
                    "(not in the archive)"
                )
        else:
            self.stdout.write(media["note"])
        for path in backup.pruned:
            self.stdout.write(f"removed old backup {path.name}")
