"""The app's features, each a part with its own state and a declared
interface of what it needs from the app (a Protocol): marking claims,
noticing others' changes, building a case from an excerpt. A part never
imports the app; the app owns the parts and hands them its keys and
messages."""
