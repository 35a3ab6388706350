"""Running the analyst commands (``poverty_measures``, ``mpi``) without Django's start-up.

``manage.py`` normally calls ``django.setup()`` before any command, which imports every installed app with its
models (REST framework, Celery beat, django-axes, ...: about 1.2 s here), and then runs the system checks. These
two commands read a CSV file and print numbers: they use no model, database, cache, translation or project
setting. So ``manage.py`` first offers its arguments to ``run``: when the command is one of ``COMMANDS``, Django is
configured with its defaults and no app (``settings.configure()``) and the command class runs at once. The
commands also set ``requires_system_checks = []``, for when they are run the usual way.

Everything else is unchanged: ``manage.py help`` lists them and ``manage.py help mpi`` prints their help (the
usual start-up), ``call_command("mpi", ...)`` runs them in the test suite with the real settings and apps (which
they ignore), and the common options (``--verbosity``, ``--traceback``, ``--no-color``, ...) work as for any
command; ``--settings`` and ``--pythonpath`` are accepted and make no difference.
"""

import importlib

COMMANDS = {
    "poverty_measures": "indicators.management.commands.poverty_measures",
    "mpi": "indicators.management.commands.mpi",
}


def run(argv: list[str]) -> bool:
    """Run ``argv`` (``manage.py COMMAND [options]``) here when COMMAND is in ``COMMANDS``.

    Returns:
        False, having done nothing, for any other command (or none); otherwise the command's own exit: True after
        it has run, ``SystemExit`` on an error (its message on stderr, exit status 1) or after ``--help``.
    """
    if len(argv) < 2 or argv[1] not in COMMANDS:
        return False
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    importlib.import_module(COMMANDS[argv[1]]).Command().run_from_argv(argv)
    return True
