"""What ``build.py test`` installs and checks besides the site: the test needs (pip; Debian's browsers and
Fashion-MNIST) and the lint (ruff)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from build_common import ROOT, BuildError, run

# Debian's packages the tests need besides Chromium, and a file each installs: the browser smoke suite's
# (tests/browsers) and Fashion-MNIST, the source tests/test_demo_dataset.py rebuilds the demo dataset from.
OTHER_PACKAGES = {
    "firefox-esr": "/usr/bin/firefox-esr",
    "webkit2gtk-driver": "/usr/bin/WebKitWebDriver",
    "xvfb": "/usr/bin/Xvfb",
    "dataset-fashion-mnist": "/usr/share/datasets/fashion-mnist",
}


def install_test_needs():
    """pip install the package with its test extra; Chromium, Firefox ESR, WebKitGTK's driver, Xvfb and
    Fashion-MNIST from Debian's packages if missing.

    Without apt (or root) Chromium is required, but the rest is not: the tests that need it then fail,
    each with a one-line reason (tests/browsers/browsers.py: missing(); tests/test_demo_dataset.py).
    """
    print("pip install -e .[test]", flush=True)
    run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[test]"], cwd=ROOT)
    others = [package for package, path in OTHER_PACKAGES.items() if not Path(path).exists()]
    can_apt = shutil.which("apt-get") is not None and os.geteuid() == 0
    if not Path("/usr/bin/chromium").exists() and not can_apt:
        raise BuildError(
            "The end-to-end tests need Debian's Chromium at /usr/bin/chromium: run `sudo apt-get install -y chromium`."
        )
    if others and not can_apt:
        print(
            f"build.py: cannot install {' '.join(others)} without apt-get as root: the tests that need them will fail "
            f'(`sudo apt-get install -y {" ".join(others)}`, or leave the browsers out with -m "not browsers")',
            flush=True,
        )
        others = []
    if Path("/usr/bin/chromium").exists() and not others:
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "update", "-qq"], env=env)
    if not Path("/usr/bin/chromium").exists():
        print("apt-get install chromium", flush=True)
        run(["apt-get", "install", "-y", "-qq", "chromium"], env=env)
    if others:
        # Without recommends: 57 packages (110 MB) instead of 225; both browsers run without the rest.
        # dpkg's hundreds of "Setting up ..." lines are shown only if the install fails.
        command = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *others]
        print(" ".join(command[:2] + command[4:]), flush=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stdout[-4000:], done.stderr[-4000:], sep="\n", file=sys.stderr)
            raise BuildError(f"'{' '.join(command)}' failed with exit code {done.returncode} (its output is above).")


def lint():
    """`ruff check` and `ruff format --check` on the whole tree (configured in pyproject.toml): 0 if both pass."""
    codes = [
        subprocess.call([sys.executable, "-m", "ruff", *command], cwd=ROOT)
        for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."])
    ]
    return max(codes)
