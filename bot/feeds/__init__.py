"""Feeds: fetching, parsing and de-duplicating RSS, Atom and JSON Feed items into the library."""
