"""Backups of a Linju site (docs/operations.md#backups-and-restore): one archive file holding
the database, the uploaded media and a manifest, and its restore into an empty site.

An archive is a tar file (gzip-compressed with --compress) with one top directory:

    linju-backup-20260314-023000/
        database.pgdump or database.sqlite3   the database (backup_database.py)
        media/...                             every file under MEDIA_ROOT, at the same paths
        manifest.json                         what the archive holds and the sha256 of every
                                              other file in it

A restore reads the whole archive and checks every checksum before it touches anything, then
restores the database, then the media, then compares the row counts with the manifest.
"""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from .backup_database import (
    DUMP_FILES,
    BackupError,
    check_vendor,
    drop_all,
    dump,
    relations,
    require_tool,
    restore,
    row_counts,
    vendor_name,
)

__all__ = ["BackupError", "create_backup", "prune_backups", "read_archive", "restore_backup"]

FORMAT = 1
ARCHIVE_NAME = re.compile(r"^linju-backup-\d{8}-\d{6}\.tar(\.gz)?$")
MANIFEST = "manifest.json"
MEDIA = "media"
_CHUNK = 1 << 20
_MAX_MANIFEST = 64 << 20


@dataclass
class Backup:
    path: Path
    manifest: dict
    pruned: list[Path] = field(default_factory=list)


@dataclass
class Restored:
    manifest: dict
    row_counts: dict[str, int]
    media_files: int
    notes: list[str] = field(default_factory=list)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n=1):
        pass


def no_progress(**kwargs):
    """The default `progress`: a factory of progress bars (tqdm's keywords) that shows none."""
    return _NoBar()


def _silent(message: str) -> None:
    pass


def media_root() -> Path | None:
    """The directory the uploads are stored in, or None when the default storage is not the
    local disk (S3 and the like: the bucket's own versioning keeps those)."""
    storage = storages.create_storage(settings.STORAGES["default"])
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


# --- Backup --------------------------------------------------------------------------------


def create_backup(
    *,
    directory: Path,
    using: str = DEFAULT_DB_ALIAS,
    compress: bool = False,
    keep: int | None = None,
    progress=no_progress,
    now: datetime | None = None,
) -> Backup:
    """Write one archive of the database and media into `directory`; with `keep`, remove the
    older archives there beyond the newest `keep`. The archive appears under its final name
    only once complete, so a failed run leaves nothing that looks like a backup."""
    connection = connections[using]
    check_vendor(connection.vendor)
    if keep is not None and keep < 1:
        raise BackupError("--keep must be 1 or more.")
    media = media_root()
    directory = directory.resolve()
    if media is not None and directory.is_relative_to(media.resolve()):
        raise BackupError(f"{directory} is inside MEDIA_ROOT; keep backups somewhere else.")
    directory.mkdir(parents=True, exist_ok=True)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    stem = f"linju-backup-{now:%Y%m%d-%H%M%S}"
    path = directory / (stem + (".tar.gz" if compress else ".tar"))
    if path.exists():
        raise BackupError(f"{path} exists already.")

    # Staged in the target directory: the operator sized that disk for backups, and the
    # finished archive moves into place by a rename.
    with tempfile.TemporaryDirectory(prefix=".linju-backup-", dir=directory) as staging:
        dump_file, database = dump(connection, directory=Path(staging), progress=progress)
        partial = Path(staging) / path.name
        options = {"compresslevel": 6} if compress else {}
        files: dict[str, str] = {}
        with tarfile.open(
            partial, "w:gz" if compress else "w", format=tarfile.PAX_FORMAT, **options
        ) as tar:
            files[dump_file.name] = _add_file(tar, dump_file, f"{stem}/{dump_file.name}")
            media_entry = _add_media(tar, media, stem, files, progress)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "linju": {"version": _version(), "git_commit": _git_commit()},
                "database": database,
                "media": media_entry,
                "files": files,
            }
            _add_bytes(tar, f"{stem}/{MANIFEST}", _dumps(manifest), now)
        _fsync(partial)
        os.replace(partial, path)
    pruned = prune_backups(directory=directory, keep=keep) if keep else []
    return Backup(path=path, manifest=manifest, pruned=pruned)


def prune_backups(*, directory: Path, keep: int) -> list[Path]:
    """Remove the archives in `directory` older than the newest `keep` (by the time in their
    names); other files there are left alone."""
    if keep < 1:
        raise BackupError("--keep must be 1 or more.")
    archives = sorted(
        (p for p in directory.iterdir() if ARCHIVE_NAME.match(p.name) and p.is_file()),
        key=lambda p: p.name,
    )
    old = archives[:-keep]
    for p in old:
        p.unlink()
    return old


def _add_media(tar, media: Path | None, stem: str, files: dict, progress) -> dict:
    backend = settings.STORAGES["default"]["BACKEND"]
    if media is None:
        return {
            "storage": backend,
            "included": False,
            "note": (
                f"Media are stored by {backend}, not on this disk: they are not in this "
                "archive. Keep them with the bucket's own versioning or replication."
            ),
        }
    found, skipped = _media_files(media)
    archived, archived_bytes, vanished = 0, 0, []
    with progress(desc="media", total=sum(size for *_, size in found), unit="B") as bar:
        for relative, path, size in found:
            try:
                sha = _add_file(tar, path, f"{stem}/{MEDIA}/{relative}")
            except FileNotFoundError:
                # Deleted since the walk (a resident's data erased meanwhile): nothing to keep.
                vanished.append(relative)
            else:
                files[f"{MEDIA}/{relative}"] = sha
                archived += 1
                archived_bytes += size
            bar.update(size)
    return {
        "storage": backend,
        "included": True,
        "root": str(media),
        "files": archived,
        "bytes": archived_bytes,
        "skipped_links": skipped,
        "vanished": vanished,
    }


def _media_files(root: Path) -> tuple[list[tuple[str, Path, int]], list[str]]:
    found, skipped = [], []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink() or not path.is_file():
                skipped.append(relative)
            else:
                found.append((relative, path, path.stat().st_size))
    return found, skipped


class _Hashing:
    """A file reader that hashes what tarfile copies into the archive, so the checksum is of
    exactly the bytes archived even if the file changes meanwhile."""

    def __init__(self, f):
        self.f = f
        self.sha = hashlib.sha256()

    def read(self, size=-1):
        data = self.f.read(size)
        self.sha.update(data)
        return data


def _add_file(tar, path: Path, arcname: str) -> str:
    with path.open("rb") as f:
        info = tar.gettarinfo(arcname=arcname, fileobj=f)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _Hashing(f)
        try:
            tar.addfile(info, reader)
        except OSError as exc:
            raise BackupError(f"{path} changed while it was being backed up ({exc}).") from exc
    return reader.sha.hexdigest()


def _add_bytes(tar, arcname: str, data: bytes, now: datetime) -> None:
    info = tarfile.TarInfo(arcname)
    info.size = len(data)
    info.mtime = int(now.timestamp())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _dumps(manifest: dict) -> bytes:
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _fsync(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


def _version() -> str | None:
    try:
        return metadata.version("linju")
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


# --- Reading an archive --------------------------------------------------------------------


def read_archive(archive: Path, *, progress=no_progress) -> tuple[str, dict]:
    """Check every file of `archive` against its manifest; return its top directory and the
    manifest. Raises BackupError for anything missing, extra, altered or unreadable."""
    if not archive.is_file():
        raise BackupError(f"No such archive: {archive}")
    digests: dict[str, str] = {}
    raw_manifest = None
    top = None
    try:
        with (
            progress(desc="verifying", total=None, unit="B") as bar,
            tarfile.open(archive, "r|*") as tar,
        ):
            for member in tar:
                top, name = _member_name(member, top)
                if member.isdir():
                    continue
                f = tar.extractfile(member)
                if name == MANIFEST:
                    raw_manifest = f.read(_MAX_MANIFEST)
                else:
                    digests[name] = _sha256(f)
                bar.update(member.size)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(
            f"{archive} is not a readable Linju backup ({exc}); nothing was restored."
        ) from exc
    if raw_manifest is None:
        raise BackupError(
            f"{archive} has no {MANIFEST}: not a Linju backup, or cut short; nothing was restored."
        )
    manifest = _parse_manifest(archive, raw_manifest)
    expected = manifest["files"]
    missing = sorted(set(expected) - set(digests))
    extra = sorted(set(digests) - set(expected))
    altered = sorted(n for n in set(expected) & set(digests) if expected[n] != digests[n])
    problems = [
        f"{label}: {len(names)} ({', '.join(names[:5])}{', …' if len(names) > 5 else ''})"
        for label, names in (
            ("missing files", missing),
            ("files not in the manifest", extra),
            ("checksum mismatches", altered),
        )
        if names
    ]
    if problems:
        raise BackupError(
            f"{archive} is damaged; nothing was restored. " + "; ".join(problems) + "."
        )
    return top, manifest


def _parse_manifest(archive: Path, raw: bytes) -> dict:
    try:
        manifest = json.loads(raw)
        version = manifest["format"]
        files = manifest["files"]
        database = manifest["database"]
        vendor, dump_file = database["vendor"], database["file"]
        parts = (
            database["row_counts"],
            database["migrations"],
            manifest["media"],
            manifest["linju"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise BackupError(f"{archive} has an unreadable {MANIFEST} ({exc!r}).") from exc
    if not isinstance(version, int) or version > FORMAT:
        raise BackupError(
            f"{archive} was made by a newer Linju (archive format {version}); "
            f"restore it with that version."
        )
    if (
        not isinstance(files, dict)
        or not all(isinstance(part, dict) for part in parts)
        or DUMP_FILES.get(vendor) != dump_file
    ):
        raise BackupError(f"{archive} has an unreadable {MANIFEST} (database or files).")
    return manifest


def _member_name(member: tarfile.TarInfo, top: str | None) -> tuple[str, str]:
    """The member's top directory and its path below it; refuses anything but plain files
    and directories under one top directory (no links, no absolute or `..` paths)."""
    parts = PurePosixPath(member.name).parts
    if (
        not parts
        or member.name.startswith("/")
        or any(p in ("..", ".", "") for p in parts)
        or not (member.isreg() or member.isdir())
        or (top is not None and parts[0] != top)
        or (member.isreg() and len(parts) < 2)
    ):
        raise BackupError(f"unexpected archive member {member.name!r}")
    return parts[0], "/".join(parts[1:])


def _sha256(f) -> str:
    sha = hashlib.sha256()
    for chunk in iter(lambda: f.read(_CHUNK), b""):
        sha.update(chunk)
    return sha.hexdigest()


def _copy_checked(f, target, expected: str, name: str) -> None:
    sha = hashlib.sha256()
    for chunk in iter(lambda: f.read(_CHUNK), b""):
        sha.update(chunk)
        target.write(chunk)
    if sha.hexdigest() != expected:
        raise BackupError(f"{name} changed in the archive while it was being restored.")


# --- Restore -------------------------------------------------------------------------------


def restore_backup(
    *,
    archive: Path,
    connection,
    media_root: Path,
    force: bool = False,
    progress=no_progress,
    say=_silent,
) -> Restored:
    """Restore `archive` into the database of `connection` (a Django database connection) and
    `media_root`, both empty unless `force`. The archive is checked whole first; the database
    is restored in one transaction (PostgreSQL) or one backup-API copy (SQLite); finally the
    row counts must equal the manifest's."""
    top, manifest = read_archive(archive, progress=progress)
    database, media = manifest["database"], manifest["media"]
    check_vendor(connection.vendor)
    if database["vendor"] != connection.vendor:
        raise BackupError(
            f"{archive} holds a {vendor_name(database['vendor'])} database and this site "
            f"uses {vendor_name(connection.vendor)}. An archive restores to the same kind of "
            "database; to move between them use dumpdata/loaddata (docs/operations.md)."
        )
    if connection.vendor == "postgresql":
        require_tool("pg_restore")
    with_media = bool(media.get("included"))
    name = connection.settings_dict["NAME"]
    existing = relations(connection)
    media_count = len(_media_files(media_root)[0]) if with_media and media_root.exists() else 0
    if (existing or media_count) and not force:
        held = []
        if existing:
            held.append(f"database {name} has {len(existing)} tables ({_some(existing)})")
        if media_count:
            held.append(f"{media_root} has {media_count} files")
        raise BackupError(
            "A restore needs an empty database and media directory, and "
            + " and ".join(held)
            + ". Restore into a new database and directory, or add --force to drop every "
            "table of that database and delete every file in that directory first."
        )
    if existing:
        if connection.vendor == "postgresql":
            say(f"--force: dropping all {len(existing)} tables, views and sequences of {name}")
        else:
            say(f"--force: replacing the whole database {name} ({len(existing)} tables)")
        drop_all(connection)
    if media_count:
        say(f"--force: deleting the {media_count} files in {media_root}")
        _empty_directory(media_root)

    with tempfile.TemporaryDirectory(prefix="linju-restore-") as staging:
        dump_file = _extract_database(archive, top, manifest, Path(staging))
        restore(
            connection,
            dump_file=dump_file,
            tables=len(database["row_counts"]),
            progress=progress,
        )
    files = _extract_media(archive, top, manifest, media_root, progress) if with_media else 0

    counts = row_counts(connection)
    expected = database["row_counts"]
    if counts != expected:
        differ = sorted(set(counts) | set(expected), key=str)
        wrong = [
            f"{t}: {expected.get(t)} → {counts.get(t)}"
            for t in differ
            if counts.get(t) != expected.get(t)
        ]
        raise BackupError(
            "The restored database differs from the manifest (table: archived → restored): "
            + "; ".join(wrong[:10])
        )
    notes = _migration_notes(database["migrations"], manifest["linju"])
    if not with_media:
        notes.append(media.get("note", "The archive holds no media files."))
    return Restored(manifest=manifest, row_counts=counts, media_files=files, notes=notes)


def _some(names: list[str]) -> str:
    return ", ".join(names[:3]) + (", …" if len(names) > 3 else "")


def _empty_directory(root: Path) -> None:
    # The directory itself stays: nginx, permissions and mounts point at it.
    for child in root.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _archive_files(archive: Path, top: str):
    """The archive's plain files once more, as (path below the top directory, member, file)."""
    try:
        with tarfile.open(archive, "r|*") as tar:
            for member in tar:
                _, name = _member_name(member, top)
                if member.isreg():
                    yield name, member, tar.extractfile(member)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive} became unreadable while being restored ({exc}).") from exc


def _extract_database(archive: Path, top: str, manifest: dict, staging: Path) -> Path:
    wanted = manifest["database"]["file"]
    target = staging / wanted
    for name, _, f in _archive_files(archive, top):
        if name == wanted:
            with target.open("wb") as out:
                _copy_checked(f, out, manifest["files"][name], name)
            return target
    raise BackupError(f"{archive} lost its {wanted} while being restored.")


def _extract_media(archive: Path, top: str, manifest: dict, root: Path, progress) -> int:
    prefix = f"{MEDIA}/"
    count = 0
    root.mkdir(parents=True, exist_ok=True)
    total = manifest["media"].get("bytes")
    with progress(desc="media", total=total, unit="B") as bar:
        for name, member, f in _archive_files(archive, top):
            if not name.startswith(prefix):
                continue
            target = root.joinpath(*PurePosixPath(name[len(prefix) :]).parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as out:
                _copy_checked(f, out, manifest["files"][name], name)
            os.utime(target, (member.mtime, member.mtime))
            count += 1
            bar.update(member.size)
    return count


def _migration_notes(archived: dict, linju: dict) -> list[str]:
    """What the operator must do before the site runs on the restored database: run the code
    the archive came from, or migrate. From the manifest's list, which the restore copied."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = {(app, name) for app, names in archived.items() for name in names}
    unknown = sorted(applied - set(loader.disk_migrations))
    pending = [
        key
        for key, migration in loader.graph.nodes.items()
        if key not in applied
        and not (migration.replaces and {tuple(r) for r in migration.replaces} <= applied)
    ]
    if unknown:
        app, name = unknown[0]
        return [
            f"The archive has {len(unknown)} migrations this code lacks (e.g. {app}.{name}): "
            f"it comes from a newer Linju ({linju.get('version')}, commit "
            f"{linju.get('git_commit') or 'unknown'}). Run that version with it."
        ]
    if pending:
        return [
            f"{len(pending)} migrations of this code are not applied to the restored database: "
            "run manage.py migrate."
        ]
    return []
