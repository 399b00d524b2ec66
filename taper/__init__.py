"""taper: tapering-plan calculator for benzodiazepine, z-drug and opioid withdrawal."""

# The one place the version is written: pyproject.toml reads it from here (hatch's version
# source), so start-up needs no importlib.metadata lookup (~2 ms).
__version__ = "0.1.0"
