"""Where the test suite finds the project's files and the shared corpora."""

from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
DATA = Path(__file__).resolve().parent / "data"
SHARED = PROJECT.parent / "shared"
SEED_TOYOTA = "000_5c8df0a10b736b81"
SEED_MAZDA = "001_98c97775915c248f"
