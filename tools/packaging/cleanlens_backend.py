"""The build backend of the cleanlens wheel: setuptools, with the built site put inside the package.

``pip install cleanlens`` is then enough for ``cleanlens explore`` (:mod:`cleanlens.explore_server` serves
``cleanlens/site``). :func:`build_wheel` runs ``build.py dist`` (npm ci and the pinned runtime when missing,
exactly as ``python3 build.py dist``) into ``py/cleanlens/site/`` (git-ignored), lets setuptools build the
wheel with it as package data, and removes it again. Everything else is setuptools' own: sdists and
editable installs (``pip install -e .``, which ``build.py test`` runs) do not hold the site; a checkout
serves its ``dist/`` instead.
"""

import importlib.util
import shutil
from pathlib import Path

from setuptools import build_meta
from setuptools.build_meta import *  # noqa: F403 (every other hook is setuptools')

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "py" / "cleanlens" / "site"


def _site_builder():
    """The repository's build.py, loaded under its own name (not the PyPA ``build`` package)."""
    spec = importlib.util.spec_from_file_location("cleanlens_site_build", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if SITE.exists():
        shutil.rmtree(SITE)
    _site_builder().dist(out=SITE)
    try:
        return build_meta.build_wheel(wheel_directory, config_settings, metadata_directory)
    finally:
        shutil.rmtree(SITE, ignore_errors=True)
