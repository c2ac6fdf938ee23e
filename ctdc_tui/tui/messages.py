"""Commands as messages: what the palette and the screens ask the app to do.

A picker or a screen never reaches into the app's widgets. It posts one of
these to the app (``self.app.post_message(GotoResource("some-id"))``) and the
app decides how to show it, as it does for its own keys. Handlers on the app
are named ``on_goto_resource``, ``on_goto_category`` and ``on_goto_bookmarks``.
"""

from __future__ import annotations

from textual.message import Message


class GotoResource(Message):
    """Show this resource: switch to a view that holds it and select it."""

    def __init__(self, resource_id: str) -> None:
        super().__init__()
        self.resource_id = resource_id


class GotoCategory(Message):
    """Show a category's resources; ``None`` means "All resources"."""

    def __init__(self, category_id: str | None) -> None:
        super().__init__()
        self.category_id = category_id


class GotoBookmarks(Message):
    """Show the bookmarks view."""
