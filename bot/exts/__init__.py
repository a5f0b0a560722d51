"""Discord features, one extension (a module with ``setup``) per area.

``bot.app.EXTENSIONS`` lists the extensions the bot loads. Modules whose names start with
an underscore are shared helpers, not extensions.
"""
