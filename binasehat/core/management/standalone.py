"""Commands that read a file and write one, run by ``manage.py`` without setting up Django's apps.

``manage.py zscores`` and ``manage.py iks`` use no database, model, template or URL. Setting up every app of the
project (importing their models, admin, API and indicator sources) costs ≈ 0.6 s of CPU at each start, a fifth of a
1,000,000-row ``zscores`` run, so ``manage.py`` runs these commands' classes directly. ``call_command`` (tests, other
code) runs them the usual way, with the apps: the result is the same (tested).
"""

from __future__ import annotations

import importlib

#: command name → module of its ``Command`` class
COMMANDS = {
    "zscores": "binasehat.growth.management.commands.zscores",
    "iks": "binasehat.families.management.commands.iks",
}


def run(argv: list[str]) -> None:
    """Run ``argv[1]`` (one of ``COMMANDS``) as ``manage.py`` would, without the apps. Without them Django's
    message catalogs cannot load, so messages are printed in their own text, which is Indonesian, as in the app."""
    from django.conf import settings
    from django.core.management.base import CommandParser, handle_default_options

    early = CommandParser(add_help=False, allow_abbrev=False)  # --settings/--pythonpath first, as Django does
    early.add_argument("--settings")
    early.add_argument("--pythonpath")
    handle_default_options(early.parse_known_args(argv[2:])[0])
    settings.USE_I18N = False
    importlib.import_module(COMMANDS[argv[1]]).Command().run_from_argv(argv)
