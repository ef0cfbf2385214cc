"""Where the project lives on disk; kept free of heavy imports so tools can use it quickly."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIGURES_ROOT = PROJECT_ROOT / "docs" / "figures"
