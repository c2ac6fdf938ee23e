"""Screens opened over the main one: help, note editor.

Each is imported only when it opens (``from ctdc_tui.tui.screens.help import
HelpScreen`` inside the action), so none of them slows the first frame.
"""
