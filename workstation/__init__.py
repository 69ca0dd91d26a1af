"""Workstation: one inbox for customer-service agents serving many shops on many platforms."""

from importlib import metadata

try:
    __version__ = metadata.version("workstation")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
