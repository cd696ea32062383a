"""What every part of build.py shares: the repository's root, the one error it reports, and running a command.

Standard library only (it runs on a fresh machine before anything is installed).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent


class BuildError(Exception):
    """A build step failed; the message is one sentence for the user."""


def run(cmd, **kwargs):
    """Run a command, turning a missing program or a failure into a BuildError."""
    try:
        return subprocess.run(cmd, check=True, **kwargs)
    except FileNotFoundError:
        raise BuildError(f"'{cmd[0]}' was not found: install it (see README.md) and try again.") from None
    except subprocess.CalledProcessError as exc:
        raise BuildError(f"'{' '.join(map(str, cmd))}' failed with exit code {exc.returncode}.") from None
