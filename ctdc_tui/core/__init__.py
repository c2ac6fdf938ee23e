"""The headless core: catalogue, search, bookmarks, locations. Never imports Textual."""
