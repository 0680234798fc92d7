"""Reusable widgets: line-API views, a list over paged reads, a detail of
linked blocks, form fields. They know nothing of a case file, its kinds of
item, the panes or the app (tests/test_layering.py holds them to that)."""
