"""casebook's browser: a Textual app over the db/ API (see tui/app.py)."""
