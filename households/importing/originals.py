"""The uploaded file of an import batch, as kept: the one place that writes and reads it.

Every path that stores an upload (``commit.import_upload``, the mapping import) or reads it back
(the commit, the rejected-rows workbook, the download) goes through these two functions, so how
the bytes are kept on disk is decided here and nowhere else.
"""

from django.core.files.base import ContentFile

from households.models import ImportBatch


def original_save(batch: ImportBatch, data: bytes, *, name: str) -> None:
    """Keep ``data`` as the batch's file under ``name`` (a storage name, no personal data in it);
    the batch row itself is not saved."""
    batch.file.save(name, ContentFile(data), save=False)


def original_read(batch: ImportBatch) -> bytes:
    """The bytes of the batch's file as uploaded.

    Raises:
        FileNotFoundError: the file is gone (purged after the retention period, or deleted).
    """
    with batch.file.open("rb") as handle:
        return handle.read()
