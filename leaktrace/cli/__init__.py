"""The command line (Typer + Rich). Business logic lives in the library, not here."""
