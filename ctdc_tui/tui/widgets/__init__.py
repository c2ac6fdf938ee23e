"""Widgets of the main screen: sidebar, resource list, detail pane, search box, status line."""
