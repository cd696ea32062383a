"""The examples in the public API's docstrings run as written."""

import doctest

import pytest

from cleanlens import confident, crossval, floats, issues, rank, userdata


@pytest.mark.parametrize("module", [confident, crossval, userdata, rank, floats, issues], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    failures, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert attempted > 0 and failures == 0
