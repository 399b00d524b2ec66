"""taper: tapering-plan calculator for benzodiazepine, z-drug and opioid withdrawal."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("taper")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.1.0"
