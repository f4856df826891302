"""Backups and restore (docs/operations.md#backups-and-restore): a real round trip on the
database the suite runs on (SQLite under `make test`, PostgreSQL under `make test-pg`) into a
fresh database and media directory, and the archives a restore refuses before touching
anything: damaged, cut short, of the other vendor or a newer format, or a target not empty."""

import hashlib
import io
import json
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from linju.core import audit
from linju.core.backup_database import DUMP_FILES, require_tool
from linju.core.backups import BackupError, create_backup, read_archive, restore_backup
from linju.core.models import AuditEvent
from linju.people.models import User
from linju.places.models import Household

# Transactional: pg_dump reads committed rows only, and SQLite's backup API cannot read from a
# connection with a transaction open.
committed = pytest.mark.django_db(transaction=True)
MARKER = b"LINJU-BACKUP-TEST " * 64
MEDIA_FILES = {
    "reports/2026/11/photo.jpg": MARKER,
    "deliberation/2026/11/会议纪要 1.pdf": "四议两公开".encode() * 500,
    "ratings/empty.txt": b"",
}


def counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        result = {}
        for table in conn.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")
            result[table] = cursor.fetchone()[0]
        return result


def row(conn, model, pk):
    table, key = model._meta.db_table, model._meta.pk.column
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE {key} = %s", [pk])
        return cursor.fetchall()


def checksums(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    for name, data in MEDIA_FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


@pytest.fixture
def fresh_database(tmp_path):
    """A new, empty database of the suite's vendor as a Django connection: PostgreSQL's named
    after the test database and dropped afterwards, SQLite's a file in the test's tmp_path."""
    target = connection.copy("restore_target")
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restore"
        with _postgres() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
    else:
        name = str(tmp_path / "restored.sqlite3")
    target.settings_dict["NAME"] = name
    yield target
    target.close()
    if connection.vendor == "postgresql":
        with _postgres() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def occupied(fresh_database, tmp_path):
    """A target with a table and a media file of its own, to show a refused restore, even
    forced, leaves both alone."""
    with fresh_database.cursor() as cursor:
        cursor.execute("CREATE TABLE keep_me (id integer)")
        cursor.execute("INSERT INTO keep_me VALUES (1)")
    media_root = tmp_path / "target-media"
    (media_root / "reports").mkdir(parents=True)
    (media_root / "reports" / "mine.jpg").write_bytes(b"mine")
    return fresh_database, media_root


def assert_untouched(target, media_root):
    assert counts(target) == {"keep_me": 1}
    assert checksums(media_root) == {"reports/mine.jpg": hashlib.sha256(b"mine").hexdigest()}


def _postgres():
    s = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=s["HOST"] or None,
        port=s["PORT"] or None,
        user=s["USER"] or None,
        password=s["PASSWORD"] or None,
        autocommit=True,
    )


def backup(tmp_path, **kwargs) -> Path:
    return create_backup(directory=tmp_path / "backups", **kwargs).path


@committed
def test_round_trip_into_a_fresh_database_and_media_directory(
    city, media, tmp_path, fresh_database
):
    owner, household = city.users["owner"], city.households["H101"]
    event = audit.record(
        actor=city.users["unit_head"], verb="residency.verify", obj=household, data={"备注": "核实"}
    )
    out = io.StringIO()
    call_command("backup", str(tmp_path / "backups"), stdout=out)
    (archive,) = (tmp_path / "backups").iterdir()
    assert f"backup written: {archive}" in out.getvalue()

    with tarfile.open(archive) as tar:
        names = tar.getnames()
    top = archive.name.removesuffix(".tar")
    assert names == [
        f"{top}/{DUMP_FILES[connection.vendor]}",
        *sorted(f"{top}/media/{name}" for name in MEDIA_FILES),
        f"{top}/manifest.json",
    ]
    manifest = read_archive(archive)[1]
    source_counts = counts(connection)
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["row_counts"] == source_counts
    assert "0001_initial" in manifest["database"]["migrations"]["core"]
    assert manifest["media"]["files"] == len(MEDIA_FILES)

    target = fresh_database
    restored_media = tmp_path / "restored-media"
    result = restore_backup(archive=archive, connection=target, media_root=restored_media)

    assert counts(target) == source_counts
    assert source_counts["people_user"] == User.objects.count() > 20
    for model, pk in ((User, owner.pk), (Household, household.pk), (AuditEvent, event.pk)):
        assert row(target, model, pk) == row(connection, model, pk) != []
    assert checksums(restored_media) == checksums(media)
    assert result.media_files == len(MEDIA_FILES)
    assert result.notes == []

    # Once restored, the same target is no longer empty: refused, unless forced.
    with pytest.raises(BackupError, match="needs an empty database") as refused:
        restore_backup(archive=archive, connection=target, media_root=restored_media)
    assert f"{len(MEDIA_FILES)} files" in str(refused.value)
    said = []
    restore_backup(
        archive=archive, connection=target, media_root=restored_media, force=True, say=said.append
    )
    assert counts(target) == source_counts
    assert checksums(restored_media) == checksums(media)
    assert [s.split(":")[0] for s in said] == ["--force", "--force"]


def _damage_flip(data: bytes) -> bytes:
    at = data.index(MARKER) + 100
    return data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]


def _damage_truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize("compress", [False, True], ids=["tar", "tar.gz"])
@committed
def test_a_damaged_archive_is_refused_before_anything_is_touched(
    media, tmp_path, occupied, compress
):
    target, target_media = occupied
    archive = backup(tmp_path, compress=compress)
    damages = [_damage_truncate] + ([] if compress else [_damage_flip])
    for damage in damages:
        damaged = tmp_path / f"damaged-{damage.__name__}-{archive.name}"
        damaged.write_bytes(damage(archive.read_bytes()))
        # Even --force drops nothing: the archive is checked whole first.
        with pytest.raises(BackupError, match="nothing was restored"):
            restore_backup(archive=damaged, connection=target, media_root=target_media, force=True)
        assert_untouched(target, target_media)
    if not compress:
        with pytest.raises(
            BackupError, match=r"checksum mismatches: 1 \(media/reports/2026/11/photo"
        ):
            read_archive(tmp_path / f"damaged-_damage_flip-{archive.name}")


def rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of `archive` whose manifest `change` edits; `change` returns renamed members."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    top = members[0][0].name.split("/")[0]
    manifest = json.loads(members[-1][1])
    renames = change(manifest) or {}
    with tarfile.open(target, "w", format=tarfile.PAX_FORMAT) as out:
        for member, data in members:
            if member.name.endswith("/manifest.json"):
                data = json.dumps(manifest).encode()
                member.size = len(data)
            name = member.name.removeprefix(f"{top}/")
            member.name = f"{top}/{renames.get(name, name)}"
            out.addfile(member, io.BytesIO(data))
    return target


@committed
def test_an_archive_of_the_other_vendor_or_a_newer_format_is_refused(media, tmp_path, occupied):
    target, target_media = occupied
    archive = backup(tmp_path)
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"

    def to_other_vendor(manifest):
        old, new = DUMP_FILES[connection.vendor], DUMP_FILES[other]
        manifest["database"].update(vendor=other, file=new)
        manifest["files"][new] = manifest["files"].pop(old)
        return {old: new}

    def to_newer_format(manifest):
        manifest["format"] = 2

    for change, message in (
        (to_other_vendor, "An archive restores to the same kind of database"),
        (to_newer_format, "made by a newer Linju"),
    ):
        changed = rewrite(archive, tmp_path / f"{change.__name__}.tar", change)
        with pytest.raises(BackupError, match=message):
            restore_backup(archive=changed, connection=target, media_root=target_media, force=True)
        assert_untouched(target, target_media)


@committed
def test_restore_refuses_a_database_with_tables_without_force(media, tmp_path, settings):
    archive = backup(tmp_path)
    settings.MEDIA_ROOT = str(tmp_path / "empty-media")
    before = counts(connection)
    with pytest.raises(CommandError, match=r"needs an empty database.*--force"):
        call_command("restore", str(archive), stdout=io.StringIO())
    assert counts(connection) == before
    assert not (tmp_path / "empty-media").exists()


@committed
def test_keep_removes_the_oldest_archives_and_nothing_else(media, tmp_path):
    directory = tmp_path / "backups"
    directory.mkdir()
    for day in ("01", "02", "03"):
        (directory / f"linju-backup-202001{day}-030000.tar").write_bytes(b"old")
    (directory / "notes.txt").write_text("keep me")
    out = io.StringIO()
    call_command("backup", str(directory), "--keep", "2", "--compress", stdout=out)
    names = sorted(p.name for p in directory.iterdir())
    (new,) = [n for n in names if n.endswith(".tar.gz")]
    assert names == ["linju-backup-20200103-030000.tar", new, "notes.txt"]
    assert "removed old backup linju-backup-20200101-030000.tar" in out.getvalue()
    assert read_archive(directory / new)[1]["media"]["files"] == len(MEDIA_FILES)


@committed
def test_media_in_another_storage_are_left_to_its_bucket(media, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    archive = backup(tmp_path)
    manifest = read_archive(archive)[1]
    assert manifest["media"]["included"] is False
    assert "bucket's own versioning" in manifest["media"]["note"]
    assert not any(name.startswith("media/") for name in manifest["files"])


def test_a_missing_postgresql_tool_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump was not found on PATH"):
        require_tool("pg_dump")
