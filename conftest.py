"""The suite runs the docstring examples of src/peka too (--doctest-modules in pyproject.toml); these helper
scripts beside the tests are not modules with examples: scripts that make fixtures, and oracles that need tools
(R, samplics) the suite does not install."""

collect_ignore_glob = ["tests/fixtures/*.py", "tests/data/*", "tests/estimate/r/*", "tests/io/data/*", "tests/*/conftest.py"]
