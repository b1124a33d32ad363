"""The package version, in a module of its own so that no module below the CLI imports
the package root (which would tie every layer to the public namespace)."""

__version__ = "0.1.0"
