"""Errors the store raises; every message is meant to be shown to a person as it is."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used, or a request to it cannot be carried out."""


class AlreadyExists(StoreError):
    """A row with the same unique key (e.g. a topic name in a server) is already there."""


class NotFound(StoreError):
    """The row a change was aimed at does not exist (or belongs to another server)."""


class InvalidValue(StoreError, ValueError):
    """A value is outside what the store accepts; the message names the field."""


class DatabaseFileGone(StoreError):
    """The database file was deleted or replaced under the running bot; writes are refused."""
