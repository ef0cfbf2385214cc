"""Where the project lives on disk; kept free of heavy imports so tools can use it quickly."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The tests point this elsewhere, so that running a page's code never writes into docs/.
FIGURES_ROOT = Path(os.environ.get("TUTORIAL_FIGURES", PROJECT_ROOT / "docs" / "figures"))
