"""The examples in the public API's docstrings run as written."""

import doctest

import pytest

from cleanlens import api, confident, crossval, fixing, floats, issues, rank, report, steps, tuning
from cleanlens.userdata import images as userdata_images
from cleanlens.userdata import load as userdata_load


@pytest.mark.parametrize(
    "module",
    [confident, crossval, userdata_load, rank, steps, floats, issues, api, fixing, tuning, report, userdata_images],
    ids=lambda m: m.__name__,
)
def test_docstring_examples(module):
    failures, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert attempted > 0 and failures == 0
