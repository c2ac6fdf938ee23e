"""``python -m ctdc_tui`` runs the same entry point as the ``ctdc`` command."""

from ctdc_tui.cli import main

raise SystemExit(main())
