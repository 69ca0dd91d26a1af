"""Entry point of the frozen app; does what the `workstation` console script does.

It lives outside the package on purpose: PyInstaller puts an entry script's folder on the
import path, and workstation/ holds modules (secrets.py) that would shadow the standard library.
"""

import os
import sys

# A windowed Windows program has no console: sys.stdout/stderr are None, and any library that
# writes to them would crash the app. Send that output nowhere; the log file has what matters.
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the app

from workstation.cli import main

if __name__ == "__main__":
    sys.exit(main())
