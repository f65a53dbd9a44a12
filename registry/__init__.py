"""pcf-registry: product carbon footprint rules as code.

The core is pure: rule packs are data, compiled once into Python functions;
declarations are validated into :class:`registry.findings.ValidationResult`
objects. The CLI (``registry.cli``) only translates.
"""

__version__ = "0.1.0"
