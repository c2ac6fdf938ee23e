"""The Textual app (``ctdc``): imported only when the app is opened."""
