"""``manage.py purge_import_originals``: delete the uploaded files of imports past their retention."""

from django.conf import settings
from django.core.management.base import BaseCommand

from households.importing.originals import originals_purge, originals_secure


class Command(BaseCommand):
    help = (
        "Delete the kept uploaded file of every import batch older than TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS "
        "(the batch, its report and its rows stay; downloading the file then answers 410), and encrypt and "
        "restrict (0600/0700) any file kept before encryption. The beat task "
        "households.tasks.import_originals_purge runs the same every night."
    )

    def handle(self, *args, **options):
        purged = originals_purge()
        encrypted = originals_secure()
        days = settings.TUOPIN_IMPORT_ORIGINAL_RETENTION_DAYS
        self.stdout.write(
            f"{purged} uploaded file(s) older than {days} days deleted; {encrypted} file(s) kept in clear encrypted."
        )
