"""Rendering for Discord: escaping and trimming text, embeds that fit, paginated views."""
