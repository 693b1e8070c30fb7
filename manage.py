#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binasehat.settings")
    if sys.argv[1:2] == ["zscores"]:  # a file in, a file out: no apps to set up (see the command)
        from binasehat.growth.management.commands.zscores import run_without_apps

        sys.exit(run_without_apps(sys.argv))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
