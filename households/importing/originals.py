"""The uploaded file of an import batch, as kept: the one place that writes, reads and purges it.

Every path that stores an upload (``commit.import_upload``, the mapping import) or reads it back
(the commit, the rejected-rows workbook, the download) goes through ``original_save`` and
``original_read``, so how the bytes are kept on disk is decided here and nowhere else.

At rest (issue 13, finding 5) the file holds resident IDs and registry numbers, so it is kept:

- **encrypted** with AES-256-GCM, in chunks of 1 MiB (the STREAM construction: each chunk's nonce
  is its number and a last-chunk flag, so a chunk cannot be dropped, swapped or cut off unnoticed;
  the header is authenticated with every chunk). The key is derived from ``RESIDENT_ID_KEY`` — the
  secret the resident IDs are encrypted with (``households.ids``) — under its own purpose label
  (``tuopin-import-original:``), then per file with HKDF and a random 16-byte salt kept in the
  file's header. No key, no content; a wrong key or a changed byte is ``OriginalDamaged``.
- **private**: mode 0600 in directories of mode 0700 (``FILE_UPLOAD_PERMISSIONS``,
  ``FILE_UPLOAD_DIRECTORY_PERMISSIONS``; ``originals_secure`` fixes files kept before).
- **for a while**: ``originals_purge`` (``manage.py purge_import_originals``, and the beat task
  ``households.tasks.import_originals_purge`` every night) deletes the file of every batch older
  than ``TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS`` and marks the batch (``original_purged_at``); a
  download or a commit then says the file is gone (``OriginalGone``).

Files kept before encryption (no header) are read as they are until ``originals_secure``, which the
same command and task run, has encrypted them.
"""

import datetime as dt
import logging
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files.base import File
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from config.keys import derived_key
from households.models import ImportBatch, ImportDownload

log = logging.getLogger(__name__)

#: The start of every encrypted original (a CSV or XLSX never starts with a 0x89 byte).
MAGIC = b"\x89TPO\r\n\x1a\n"
_VERSION = b"\x01"
_SALT = 16
_HEADER = len(MAGIC) + len(_VERSION) + _SALT
_TAG = 16
CHUNK = 2**20
#: Mode of a kept file and of the directories above it, up to ``MEDIA_ROOT``.
FILE_MODE, DIRECTORY_MODE = 0o600, 0o700


class OriginalGone(FileNotFoundError):
    """The batch's file is no longer kept (purged after the retention period, or deleted);
    ``str()`` says so in the user's language."""


class OriginalDamaged(ValueError):
    """The kept file does not decrypt: another deployment's key, or the file was changed."""


def _master_key() -> bytes:
    """The key of every original: from the resident-ID secret, under its own purpose label (as
    ``households.ids`` derives its encryption and hash keys from it)."""
    return derived_key("import-original", settings.RESIDENT_ID_KEY)


def _cipher(salt: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"tuopin-import-original v1").derive(_master_key())
    return AESGCM(key)


def _nonce(number: int, *, last: bool) -> bytes:
    return number.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _encrypted(data: bytes) -> Iterator[bytes]:
    """The header, then each chunk of ``data`` encrypted (one empty chunk for empty data)."""
    salt = secrets.token_bytes(_SALT)
    header = MAGIC + _VERSION + salt
    cipher = _cipher(salt)
    yield header
    count = max(1, -(-len(data) // CHUNK))
    for number in range(count):
        chunk = data[number * CHUNK : (number + 1) * CHUNK]
        yield cipher.encrypt(_nonce(number, last=number == count - 1), chunk, header)


def encrypted_size(length: int) -> int:
    """The size on disk of an original of ``length`` bytes."""
    return _HEADER + max(1, -(-length // CHUNK)) * _TAG + length


def _decrypted(stored: bytes) -> bytes:
    """The plaintext of an encrypted original (``stored`` starts with ``MAGIC``).

    Raises:
        OriginalDamaged: another key, or the bytes were changed, cut off or extended.
    """
    header = stored[:_HEADER]
    if len(header) < _HEADER or stored[len(MAGIC) : len(MAGIC) + 1] != _VERSION:
        raise OriginalDamaged("the kept file has an unknown header")
    cipher = _cipher(header[-_SALT:])
    body = memoryview(stored)[_HEADER:]
    size = CHUNK + _TAG
    count = max(1, -(-len(body) // size))
    parts = []
    try:
        for number in range(count):
            block = bytes(body[number * size : (number + 1) * size])
            parts.append(cipher.decrypt(_nonce(number, last=number == count - 1), block, header))
    except InvalidTag:
        raise OriginalDamaged("the kept file does not decrypt: another key, or the file was changed") from None
    return b"".join(parts)


class _EncryptedFile(File):
    """What the storage writes: the encrypted chunks, never the whole ciphertext in memory."""

    def __init__(self, data: bytes, name: str):
        super().__init__(None, name)
        self._data = data
        self.size = encrypted_size(len(data))

    def chunks(self, chunk_size=None):
        yield from _encrypted(self._data)

    def __bool__(self) -> bool:
        return True


def original_save(batch: ImportBatch, data: bytes, *, name: str) -> None:
    """Keep ``data`` encrypted as the batch's file under ``name`` + ``.enc`` (a storage name, no
    personal data in it; mode 0600, see the module); the batch row itself is not saved."""
    batch.file.save(f"{name}.enc", _EncryptedFile(data, name), save=False)


def original_read(batch: ImportBatch) -> bytes:
    """The bytes of the batch's file as uploaded (decrypted).

    Raises:
        OriginalGone: the file is gone (purged after the retention period, or deleted).
        OriginalDamaged: the file does not decrypt (another key, or changed on disk).
    """
    if batch.original_purged_at is not None or not batch.file:
        raise OriginalGone(original_gone_message(batch))
    try:
        with batch.file.open("rb") as handle:
            stored = handle.read()
    except FileNotFoundError:
        raise OriginalGone(original_gone_message(batch)) from None
    if not stored.startswith(MAGIC):
        return stored  # kept before encryption: ``originals_secure`` encrypts it
    return _decrypted(stored)


def import_download_record(*, user, batch: ImportBatch, what: str) -> ImportDownload:
    """Audit a download of ``batch``'s file (``what``: ``ImportDownload.What``) by ``user``: who,
    which batch, what, when (the admin lists them). Call it once the content is in hand."""
    log.info("user %s downloaded the %s of import batch %s", user.pk, what, batch.pk)
    return ImportDownload.objects.create(user=user, batch=batch, what=what)


def original_gone_message(batch: ImportBatch) -> str:
    """Why the batch's file cannot be had, in the active language."""
    if batch.original_purged_at is None:
        return _("The uploaded file of import %(id)s is no longer kept: upload it again.") % {"id": batch.pk}
    return _(
        "The uploaded file of import %(id)s was deleted on %(date)s at the end of its retention period "
        "(%(days)s days): upload it again."
    ) % {
        "id": batch.pk,
        "date": date_format(timezone.localtime(batch.original_purged_at), "DATE_FORMAT"),
        "days": settings.TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS,
    }


def originals_purge() -> int:
    """Delete the kept file of every batch created more than ``TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS``
    ago and mark the batch (``original_purged_at`` set, ``file`` emptied); the report, the counts and
    the rows written (and so the undo) stay. Idempotent.

    Returns:
        The number of batches whose file was purged by this call.
    """
    cutoff = timezone.now() - dt.timedelta(days=settings.TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS)
    expired = ImportBatch.objects.filter(created_at__lt=cutoff, original_purged_at__isnull=True)
    purged = 0
    for batch in expired.only("pk", "file").iterator():
        if batch.file:
            batch.file.delete(save=False)  # a file already missing is no error
        ImportBatch.objects.filter(pk=batch.pk).update(file="", original_purged_at=timezone.now())
        purged += 1
    if purged:
        days = settings.TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS
        log.info("purged the kept files of %d import batch(es) older than %d days", purged, days)
    return purged


def originals_secure() -> int:
    """Bring the files kept before this module encrypted them to its rules: encrypt each file that
    has no header (under the same name), and set mode 0600 on every kept file and 0700 on the
    directories from ``MEDIA_ROOT`` down to it. Local storage only (files with a ``path``).

    Returns:
        The number of files encrypted by this call.
    """
    encrypted = 0
    root = Path(settings.MEDIA_ROOT)
    for batch in ImportBatch.objects.filter(original_purged_at__isnull=True).exclude(file="").only("pk", "file"):
        try:
            path = Path(batch.file.path)
            with path.open("rb") as handle:
                start = handle.read(len(MAGIC))
        except (FileNotFoundError, NotImplementedError):
            continue
        if start != MAGIC:
            temporary = path.with_name(path.name + ".tmp")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            with os.fdopen(descriptor, "wb") as handle:
                for chunk in _encrypted(path.read_bytes()):
                    handle.write(chunk)
            os.replace(temporary, path)
            encrypted += 1
        _private(path, root)
    if encrypted:
        log.info("encrypted %d import file(s) kept in clear before", encrypted)
    return encrypted


def _private(path: Path, root: Path) -> None:
    """Mode 0600 on ``path``, 0700 on its directories up to ``root`` (a directory the server's
    user does not own, e.g. a volume's mount point, is left as it is, with a warning)."""
    targets = [(path, FILE_MODE)]
    directory = path.parent
    while directory == root or root in directory.parents:
        targets.append((directory, DIRECTORY_MODE))
        if directory == root:
            break
        directory = directory.parent
    for target, mode in targets:
        if stat.S_IMODE(target.stat().st_mode) == mode:
            continue
        try:
            target.chmod(mode)
        except PermissionError:
            log.warning("cannot set mode %o on %s (not the server's own)", mode, target)
