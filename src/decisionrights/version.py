"""The library's version, on the ground floor so every stage can name it without importing the package."""

__version__ = "0.1.0"
