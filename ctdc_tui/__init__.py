"""ctdc-tui: browse, search and bookmark the Civic Tech and Data Collaborative Toolkit.

Layers: ``ctdc_tui.core`` (no Textual), ``ctdc_tui.cli`` (argparse commands),
``ctdc_tui.tui`` (the Textual app). This module holds the version only, so that
``import ctdc_tui`` stays cheap.
"""

__version__ = "0.1.0"
