#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "binasehat.settings")
    if sys.argv[1:2] in (["zscores"], ["iks"]):  # a file in, a file out: no apps to set up
        from binasehat.core.management import standalone

        sys.exit(standalone.run(sys.argv))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
